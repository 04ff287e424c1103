import ConsumerService
import Foundation
import SQSClient
import ServiceSupport
import TestSupport
import Testing
import VideoCore

#if canImport(Glibc)
    import Glibc
#endif

/// Flow control and the systemd notify protocol.
@Suite("Consumer operations")
struct OperationsTests {
    @Test("never more messages in flight than free job slots")
    func receivesOnlyForFreeSlots() async throws {
        let harness = try await ConsumerHarness.make(visibility: 30)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            var ids: [UUID] = []
            for _ in 0..<3 { ids.append(try await harness.enqueue(jobs: ["paced"], source: video).id) }
            let consumer = harness.consumer(harness.configuration(concurrency: 1, visibility: 30), pacedSeconds: 1)
            let services = RunningServices([consumer])

            var maximumInFlight = 0
            var maximumRunning = 0
            let done = try await ConsumerHarness.eventually(timeout: .seconds(40)) { [ids] in
                maximumRunning = max(maximumRunning, consumer.status.inFlight)
                let attributes = try await harness.sqs.attributes(of: harness.queueURL, names: ["ApproximateNumberOfMessagesNotVisible"])
                maximumInFlight = max(maximumInFlight, Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? 0)
                for id in ids where try await harness.record(id).status != .completed { return false }
                return true
            }
            try await services.stop()
            #expect(done)
            #expect(maximumRunning <= 1, "\(maximumRunning) jobs ran at once with one job slot")
            // A finished message is deleted by the batched deleter after its slot is free, so for a moment it and the
            // next one are both invisible; a receive for more than the free slots would make three or more.
            #expect(maximumInFlight <= 2, "\(maximumInFlight) messages were invisible at once with one job slot")
        }
    }

    @Test("systemd notify: READY=1, WATCHDOG=1 and STATUS= while running, STOPPING=1 on shutdown")
    func systemdNotify() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let socket = try NotifySocket(path: harness.directory.file("notify.sock"))
            defer { socket.close() }
            let consumer = ConsumerService(
                configuration: harness.configuration(), sqs: harness.sqs, s3: harness.s3, store: harness.store,
                pipeline: ConsumerHarness.pipeline(), logger: ConsumerHarness.logger,
                environment: ["NOTIFY_SOCKET": socket.path])
            let services = RunningServices([consumer])
            var received: [String] = []
            let running = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                received += socket.drain()
                return received.contains { $0.hasPrefix("READY=1") } && received.filter { $0 == "WATCHDOG=1" }.count >= 2
            }
            try await services.stop()
            received += socket.drain()
            #expect(running, "\(received)")
            #expect(received.contains { $0.hasPrefix("STATUS=") && $0.contains("job slots") })
            #expect(received.contains("STOPPING=1"))
            #expect(received.firstIndex { $0.hasPrefix("READY=1") } ?? .max < received.firstIndex(of: "STOPPING=1") ?? -1)
        }
    }

    @Test("systemd notify never blocks the caller when nobody reads the socket: the surplus is dropped")
    func notifyDoesNotBlockOnAFullSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socket = try NotifySocket(path: directory.file("notify.sock"))
        defer { socket.close() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        // A Unix datagram socket queues only a few datagrams (net.unix.max_dgram_qlen): a blocking send would hang here.
        let sent = (0..<500).map { notifier.send("STATUS=\($0)") }
        #expect(sent.first == true)
        #expect(sent.contains(false), "the queue never filled up")
        #expect(!socket.drain().isEmpty)
    }
}
