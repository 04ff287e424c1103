import AWSClientRuntime
import AWSSigV4
import ConsumerService
import Foundation
import SQSClient
import ServiceSupport
import TestSupport
import Testing
import VideoCore
import VideoStore

/// A consumer started while a dependency is down: it reports itself not ready, keeps the watchdog fed, does not
/// exit, and starts working as soon as the dependency answers.
@Suite("Consumer start-up without dependencies")
struct StartupTests {
    /// An SQS client to LocalStack through `proxy`.
    static func sqs(through proxy: TCPProxy) throws -> SQSClient {
        let credentials = try Emulator.localstack.connection().credentials
        guard let endpoint = AWSEndpoint(url: proxy.baseURL) else { throw EmulatorError("bad proxy URL \(proxy.baseURL)") }
        return SQSClient(
            configuration: AWSClientConfiguration(
                region: "us-east-1", endpoint: endpoint, credentialProvider: StaticCredentialProvider(credentials: credentials),
                retry: RetryConfiguration(maximumAttempts: 2, baseDelay: .milliseconds(20)), requestTimeout: .seconds(5)))
    }

    static func localstackAddress() throws -> (host: String, port: Int) {
        let url = try #require(URLComponents(string: try Emulator.localstack.connection().endpoint.url))
        return (url.host ?? "127.0.0.1", url.port ?? 4566)
    }

    @Test(
        "SQS unreachable at start: READY=1 with STATUS=waiting for SQS, /readyz 503 with the reason, the watchdog fed, no exit; the video is processed once SQS answers"
    )
    func startsWithoutSQS() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let localstack = try Self.localstackAddress()
            let proxy = try await TCPProxy.start(upstreamHost: localstack.host, upstreamPort: localstack.port, relaying: false)
            try await withTearDown {
                try? await proxy.shutdown()
            } body: {
                let socket = try NotifySocket(path: harness.directory.file("notify.sock"))
                defer { socket.close() }
                var configuration = harness.configuration()
                configuration.dependencyRetryMaximumDelay = .milliseconds(500)
                configuration.sqsCallTimeout = .seconds(2)
                let consumer = ConsumerService(
                    configuration: configuration, sqs: try Self.sqs(through: proxy), s3: harness.s3,
                    store: harness.store, pipeline: ConsumerHarness.pipeline(), logger: ConsumerHarness.logger,
                    environment: ["NOTIFY_SOCKET": socket.path])
                let record = try await harness.enqueue(jobs: [.audio], source: try await TestVideos.smallVideo())
                let services = RunningServices([consumer])

                // Waiting: ready for systemd, not for traffic, and alive.
                var received: [String] = []
                let waiting = try await ConsumerHarness.eventually(timeout: .seconds(15)) {
                    received += socket.drain()
                    return received.contains { $0.hasPrefix("STATUS=waiting for SQS") }
                        && received.filter { $0 == "WATCHDOG=1" }.count >= 3 && proxy.connectionCount >= 3
                }
                #expect(waiting, "\(received)")
                #expect(received.first?.hasPrefix("READY=1") == true, "\(received)")
                #expect(consumer.status.waitingFor?.hasPrefix("waiting for SQS") == true)
                let readiness = await HealthServer.readiness(of: consumer)
                #expect(!readiness.isReady)
                #expect(readiness.startup?.hasPrefix("waiting for SQS") == true, "\(readiness.text)")
                #expect(readiness.text.contains("startup: waiting for SQS"))
                #expect(!services.hasEnded, "the consumer exited while SQS was down")
                #expect(try await harness.record(record.id).status == .queued)

                // SQS answers: the consumer starts working without a restart.
                proxy.setRelaying(true)
                let done = try await ConsumerHarness.eventually(timeout: .seconds(30)) {
                    received += socket.drain()
                    return try await harness.record(record.id).status == .completed
                }
                #expect(done)
                #expect(consumer.status.waitingFor == nil)
                let ready = try await ConsumerHarness.eventually(timeout: .seconds(10)) { await HealthServer.readiness(of: consumer).isReady }
                #expect(ready)
                try await services.stop()
                #expect(try await harness.messageCount() == 0)
            }
        }
    }

    @Test("the database unreachable at start: waiting for the database, no exit; migrated and processing once it answers")
    func startsWithoutDatabase() async throws {
        let harness = try await ConsumerHarness.make(database: .postgres)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            var components = try #require(URLComponents(string: harness.databaseURL))
            let proxy = try await TCPProxy.start(
                upstreamHost: components.host ?? "127.0.0.1", upstreamPort: components.port ?? 5432,
                relaying: false)
            try await withTearDown {
                try? await proxy.shutdown()
            } body: {
                components.host = "127.0.0.1"
                components.port = proxy.port
                let proxiedURL = try #require(components.string)
                let store = try await DatabaseConfiguration(url: proxiedURL).makeStore(logger: ConsumerHarness.logger)
                try await store.running {
                    var configuration = harness.configuration()
                    configuration.databaseURL = proxiedURL
                    configuration.dependencyRetryMaximumDelay = .milliseconds(500)
                    let consumer = ConsumerService(
                        configuration: configuration, sqs: harness.sqs, s3: harness.s3, store: store,
                        pipeline: ConsumerHarness.pipeline(), logger: ConsumerHarness.logger, environment: [:])
                    let record = try await harness.enqueue(jobs: [.audio], source: try await TestVideos.smallVideo())
                    let services = RunningServices([consumer])

                    let waiting = try await ConsumerHarness.eventually(timeout: .seconds(15)) {
                        consumer.status.waitingFor?.hasPrefix("waiting for the database") == true && proxy.connectionCount >= 2
                    }
                    #expect(waiting, "\(consumer.status)")
                    let readiness = await HealthServer.readiness(of: consumer)
                    #expect(!readiness.isReady)
                    #expect(readiness.startup?.hasPrefix("waiting for the database") == true, "\(readiness.text)")
                    #expect(!services.hasEnded, "the consumer exited while the database was down")

                    proxy.setRelaying(true)
                    let done = try await ConsumerHarness.eventually(timeout: .seconds(30)) {
                        try await harness.record(record.id).status == .completed
                    }
                    try await services.stop()
                    #expect(done)
                    #expect(consumer.status.waitingFor == nil)
                }
            }
        }
    }

    @Test("the per-call timeout: a call that does not answer in time is cancelled with a timed_out error")
    func callTimeout() async throws {
        let start = ContinuousClock.now
        await #expect(throws: CallTimeoutError(operation: "never", limit: .milliseconds(200))) {
            try await withTimeout(.milliseconds(200), operation: "never") { try await Task.sleep(for: .seconds(30)) }
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(try await withTimeout(.seconds(5), operation: "quick") { 42 } == 42)
    }

    @Test("the dependency waiter retries until the call answers and rethrows configuration errors at once")
    func dependencyWaiter() async throws {
        let waiter = DependencyWaiter(backoff: Backoff(base: .milliseconds(1), cap: .milliseconds(5)), minimumDelay: .milliseconds(1))
        var failures: [DependencyWaiter.Failure] = []
        var calls = 0
        let value = try await waiter.wait(for: "SQS", onFailure: { failures.append($0) }) {
            calls += 1
            if calls < 4 { throw EmulatorError("connection refused") }
            return "answered"
        }
        #expect(value == "answered")
        #expect(failures.map(\.attempt) == [1, 2, 3])
        #expect(failures.first?.status == "waiting for SQS: connection refused")
        #expect(failures.allSatisfy { $0.retryIn <= .milliseconds(5) })

        var configurationCalls = 0
        await #expect(throws: ConfigurationError.self) {
            try await waiter.wait(for: "SQS", onFailure: { _ in }) {
                configurationCalls += 1
                throw ConfigurationError(setting: "VIDEOQUEUE_QUEUE_URL", message: "bad")
            }
        }
        #expect(configurationCalls == 1)
    }
}
