import ConsumerService
import Foundation
import SQSClient
import ServiceLifecycle
import TestSupport
import Testing
import VideoCore
import VideoStore

/// Long jobs (the `paced` handler: FFmpeg at real-time speed, almost no CPU): cancellation, heartbeat,
/// job timeout, graceful shutdown.
@Suite("Consumer lifecycle")
struct LifecycleTests {
    /// Waits until the record is being encoded (FFmpeg runs).
    static func waitUntilEncoding(_ harness: ConsumerHarness, _ id: UUID) async throws {
        let encoding = try await ConsumerHarness.eventually(timeout: .seconds(20)) {
            let record = try await harness.record(id)
            return record.status == .processing && record.stage == .encoding
        }
        try #require(encoding)
    }

    @Test(
        "a cancelled record is noticed within 2 s: FFmpeg killed, scratch removed, message deleted",
        arguments: TestDatabaseBackend.allCases)
    func cancellationDuringJob(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            let consumer = harness.consumer(pacedSeconds: 30)
            let services = RunningServices([consumer])
            try await Self.waitUntilEncoding(harness, record.id)

            let cancelledAt = ContinuousClock.now
            _ = try #require(try await harness.store.cancel(id: record.id, owner: nil))
            let stopped = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                consumer.status.inFlight == 0
            }
            let elapsed = ContinuousClock.now - cancelledAt
            try await services.stop()
            #expect(stopped)
            #expect(elapsed < .seconds(5), "the job stopped \(elapsed) after the cancellation")
            #expect(try await harness.record(record.id).status == .cancelled)
            #expect(try await harness.messageCount() == 0)
            let scratch = (try? FileManager.default.contentsOfDirectory(atPath: harness.directory.file("scratch"))) ?? []
            #expect(scratch.isEmpty)
        }
    }

    @Test("the heartbeat keeps a job alive past the visibility timeout: a second consumer never gets its message")
    func heartbeatKeepsJobAlive() async throws {
        // The job lasts more than twice the visibility timeout; the heartbeat (every third of it) leaves
        // 4 s of slack for a loaded machine, where a 2 s visibility once expired between two beats.
        let harness = try await ConsumerHarness.make(visibility: 6)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            let configuration = harness.configuration(visibility: 6)
            let first = harness.consumer(configuration, pacedSeconds: 14)
            let second = harness.consumer(configuration, pacedSeconds: 14)
            let services = RunningServices([first, second])

            let done = try await ConsumerHarness.eventually(timeout: .seconds(45)) {
                try await harness.record(record.id).status == .completed
            }
            try await services.stop()
            #expect(done)
            let final = try await harness.record(record.id)
            #expect(final.attempts == 1, "the message expired and was taken over")
            #expect(try await harness.messageCount() == 0)
        }
    }

    @Test("a job past the job timeout is killed and failed")
    func jobTimeout() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.jobTimeout = .seconds(2)
            let consumer = harness.consumer(configuration, pacedSeconds: 30)
            let start = ContinuousClock.now
            #expect(try await consumer.runOnce(waitTime: 5) == .timedOut)
            #expect(ContinuousClock.now - start < .seconds(10))
            let failed = try await harness.record(record.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "job_timeout")
            #expect(try await harness.messageCount() == 0)
        }
    }

    @Test("graceful shutdown mid-job: exits within the drain timeout, record released, message visible at once")
    func shutdownMidJobReleases() async throws {
        let harness = try await ConsumerHarness.make(visibility: 30)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.drainTimeout = .seconds(1)
            let consumer = harness.consumer(configuration, pacedSeconds: 60)
            let services = RunningServices([consumer])
            try await Self.waitUntilEncoding(harness, record.id)

            let took = try await services.stop()
            #expect(took < .seconds(10), "shutdown took \(took) with a 1 s drain timeout")
            let released = try await harness.record(record.id)
            #expect(released.status == .queued)
            #expect(released.attempts == 1)
            // Visible again at once, not after the queue's 30 s visibility timeout.
            let back = try await harness.sqs.receive(from: harness.queueURL, maximumMessages: 1, waitTime: 2)
            #expect(back.count == 1)
            let scratch = (try? FileManager.default.contentsOfDirectory(atPath: harness.directory.file("scratch"))) ?? []
            #expect(scratch.isEmpty)
        }
    }

    @Test("graceful shutdown mid-job with time to spare: the job finishes and completes")
    func shutdownMidJobFinishes() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.drainTimeout = .seconds(20)
            let consumer = harness.consumer(configuration, pacedSeconds: 3)
            let services = RunningServices([consumer])
            try await Self.waitUntilEncoding(harness, record.id)

            let took = try await services.stop()
            #expect(took < .seconds(15))
            #expect(try await harness.record(record.id).status == .completed)
            #expect(try await harness.messageCount() == 0)
        }
    }

    @Test(
        "shutdown while idle waits for the long poll in flight (never cancelled: what it brings is handed back) and no longer: at most its wait time plus the call timeout"
    )
    func idleShutdownIsBoundedByThePoll() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            var configuration = harness.configuration()
            configuration.waitTimeSeconds = 3
            configuration.sqsCallTimeout = .seconds(3)
            let consumer = harness.consumer(configuration)
            let services = RunningServices([consumer])
            let polling = try await ConsumerHarness.eventually(timeout: .seconds(10)) { consumer.isPollLoopAlive }
            let took = try await services.stop()
            #expect(polling)
            // The 3 s poll plus its 3 s call timeout, and a little for the loop: not the drain timeout, not forever.
            #expect(took < .seconds(3) + .seconds(3) + .seconds(2), "shutdown took \(took)")
            #expect(try await harness.messageCount() == 0)
        }
    }
}

extension LifecycleTests {
    @Test("a stale receipt handle (the message is gone) abandons the job without writing results")
    func staleReceiptHandleAbandons() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            let consumer = harness.consumer(pacedSeconds: 30)
            let services = RunningServices([consumer])
            try await Self.waitUntilEncoding(harness, record.id)

            // Deleting the message from under the consumer makes its next visibility extension fail.
            try await harness.sqs.purge(harness.queueURL)
            let stopped = try await ConsumerHarness.eventually(timeout: .seconds(15)) { consumer.status.inFlight == 0 }
            try await services.stop()
            #expect(stopped)
            let released = try await harness.record(record.id)
            #expect(released.status == .queued)
            #expect(released.outputs.isEmpty)
        }
    }
}
