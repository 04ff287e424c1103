import Foundation
import NIOHTTP1
import ServiceSupport
import Synchronization
import TestSupport
import Testing
import VideoCore

@testable import ConsumerService

/// Spot interruptions and Auto Scaling scale-in, with a fake EC2 (instance metadata and the Auto Scaling API: neither
/// LocalStack's community edition nor moto has `CompleteLifecycleAction`) and the real consumer on LocalStack.
@Suite("Instance termination")
struct TerminationTests {
    /// IMDSv2 and the Auto Scaling query API on one port; what the tests switch and what the consumer sent.
    final class FakeEC2: Sendable {
        let spotNotice = Mutex<String?>(nil)
        let targetState = Mutex("InService")
        let autoScalingCalls = Mutex<[FakeHTTPServer.Request]>([])
        /// Metadata requests still to answer 503 (a metadata service not ready yet), and how many were.
        let unavailable = Mutex(0)
        let refused = Mutex(0)

        static func start() async throws -> (FakeEC2, FakeHTTPServer) {
            let ec2 = FakeEC2()
            let server = try await FakeHTTPServer.start { request in
                if request.path.hasPrefix("/latest/"),
                    ec2.unavailable.withLock({ left in
                        guard left > 0 else { return false }
                        left -= 1
                        return true
                    })
                {
                    ec2.refused.withLock { $0 += 1 }
                    return .reply(.serviceUnavailable)
                }
                switch (request.method, request.path) {
                case (.PUT, "/latest/api/token"): return .ok("session-token")
                case (_, _) where request.path.hasPrefix("/latest/") && request.headers["X-aws-ec2-metadata-token"].first != "session-token":
                    return .reply(.unauthorized)
                case (.GET, "/latest/meta-data/instance-id"): return .ok("i-0123456789abcdef0")
                case (.GET, "/latest/meta-data/tags/instance/aws:autoscaling:groupName"): return .ok("videoqueue-consumers")
                case (.GET, "/latest/meta-data/autoscaling/target-lifecycle-state"): return .ok(ec2.targetState.withLock { $0 })
                case (.GET, "/latest/meta-data/spot/instance-action"):
                    return ec2.spotNotice.withLock { $0 }.map { .ok($0, contentType: "application/json") } ?? .reply(.notFound)
                case (.POST, "/"):
                    ec2.autoScalingCalls.withLock { $0.append(request) }
                    return .ok(
                        #"<CompleteLifecycleActionResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><CompleteLifecycleActionResult/></CompleteLifecycleActionResponse>"#,
                        contentType: "text/xml")
                default: return .reply(.notFound)
                }
            }
            return (ec2, server)
        }
    }

    static func environment(_ server: FakeHTTPServer) -> [String: String] {
        [
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL, "AWS_ENDPOINT_URL_AUTO_SCALING": server.baseURL,
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        ]
    }

    @Test func aScaleInDrainsTheRunningJobThenCompletesTheLifecycleHook() async throws {
        let harness = try await ConsumerHarness.make()
        let (ec2, server) = try await FakeEC2.start()
        try await withTearDown {
            await harness.tearDown()
            try? await server.shutdown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.drainTimeout = .seconds(30)
            configuration.terminationCheckInterval = .milliseconds(200)
            configuration.lifecycleHookName = "videoqueue-drain"
            configuration.machineLockFile = harness.directory.file("consumers.lock")
            let consumer = harness.consumer(configuration, pacedSeconds: 3)
            let daemon = Task { try await consumer.runDaemon(environment: Self.environment(server), signals: [], logger: ConsumerHarness.logger) }
            try await LifecycleTests.waitUntilEncoding(harness, record.id)
            #expect(ec2.autoScalingCalls.withLock { $0.isEmpty })

            ec2.targetState.withLock { $0 = "Terminated" }
            try await withTimeout(.seconds(30), operation: "the daemon's drain") { try await daemon.value }
            #expect(try await harness.record(record.id).status == .completed, "the drain let the job finish")
            #expect(try await harness.messageCount() == 0)
            let calls = ec2.autoScalingCalls.withLock { $0 }
            try #require(calls.count == 1)
            #expect(
                calls[0].body == "Action=CompleteLifecycleAction&Version=2011-01-01&AutoScalingGroupName=videoqueue-consumers"
                    + "&InstanceId=i-0123456789abcdef0&LifecycleActionResult=CONTINUE&LifecycleHookName=videoqueue-drain")
            #expect(calls[0].headers["Authorization"].first?.contains("/us-east-1/autoscaling/aws4_request") == true)
        }
    }

    @Test func aSpotNoticeHandsBackWhatCannotFinishBeforeTheInterruption() async throws {
        let harness = try await ConsumerHarness.make(visibility: 30)
        let (ec2, server) = try await FakeEC2.start()
        try await withTearDown {
            await harness.tearDown()
            try? await server.shutdown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.drainTimeout = .seconds(600)
            configuration.terminationCheckInterval = .milliseconds(200)
            let consumer = harness.consumer(configuration, pacedSeconds: 120)
            let daemon = Task { try await consumer.runDaemon(environment: Self.environment(server), signals: [], logger: ConsumerHarness.logger) }
            try await LifecycleTests.waitUntilEncoding(harness, record.id)

            // Two minutes' notice less the hand-back margin leaves the job 2 s.
            let time = ISO8601DateFormatter().string(from: Date().addingTimeInterval(TerminationWatcher.spotMargin.seconds + 2))
            ec2.spotNotice.withLock { $0 = #"{"action": "terminate", "time": "\#(time)"}"# }
            let start = ContinuousClock.now
            try await withTimeout(.seconds(30), operation: "the daemon's drain") { try await daemon.value }
            #expect(ContinuousClock.now - start < .seconds(15), "the 600 s drain timeout was not shortened")
            let released = try await harness.record(record.id)
            #expect(released.status == .queued)
            let back = try await harness.sqs.receive(from: harness.queueURL, maximumMessages: 1, waitTime: 2)
            #expect(back.count == 1, "the message is visible at once, not after the 30 s visibility timeout")
            #expect(ec2.autoScalingCalls.withLock { $0.isEmpty }, "no lifecycle hook is configured")
        }
    }

    @Test func aMetadataServiceNotReadyAtBootIsAskedAgainUntilItAnswersAndItsScaleInStillDrains() async throws {
        let harness = try await ConsumerHarness.make()
        let (ec2, server) = try await FakeEC2.start()
        try await withTearDown {
            await harness.tearDown()
            try? await server.shutdown()
        } body: {
            ec2.unavailable.withLock { $0 = 6 }  // the first requests (token and values) fail: not ready yet
            ec2.targetState.withLock { $0 = "Terminated" }
            var configuration = harness.configuration()
            configuration.terminationCheckInterval = .milliseconds(100)
            let consumer = harness.consumer(configuration)
            let daemon = Task { try await consumer.runDaemon(environment: Self.environment(server), signals: [], logger: ConsumerHarness.logger) }
            // The scale-in is seen once the service answers: the daemon drains and ends by itself.
            try await withTimeout(.seconds(30), operation: "the daemon's drain") { try await daemon.value }
            #expect(ec2.refused.withLock { $0 } == 6, "the failures came first")
            #expect(ec2.unavailable.withLock { $0 } == 0)
        }
    }

    @Test func offEC2TheWatchKeepsAskingAndTheConsumerKeepsWorking() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            var configuration = harness.configuration()
            configuration.terminationCheckInterval = .milliseconds(100)
            let consumer = harness.consumer(configuration, pacedSeconds: 1)
            // A port nothing listens on: the metadata service does not exist here.
            let closed = try await FakeHTTPServer.start { _ in .reply(.ok) }
            let endpoint = closed.baseURL
            try await closed.shutdown()
            let environment = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint, "AWS_REGION": "us-east-1"]
            let daemon = Task { try await consumer.runDaemon(environment: environment, signals: [], logger: ConsumerHarness.logger) }
            defer { daemon.cancel() }
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            let completed = try await ConsumerHarness.eventually(timeout: .seconds(30)) {
                try await harness.record(record.id).status == .completed
            }
            #expect(completed, "the consumer went on working without instance metadata")
        }
    }
}
