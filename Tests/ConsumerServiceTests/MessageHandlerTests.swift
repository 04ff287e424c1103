import Foundation
import S3Client
import SQSClient
import Synchronization
import Testing
import VideoCore
import VideoStore

@testable import ConsumerService

/// The message handler as a driver: the claim and settlement decisions carried out against a real SQLite store and
/// an in-memory queue, with scripted work instead of FFmpeg — every row of both tables in milliseconds.
@Suite("Message handler with fakes")
struct MessageHandlerTests {
    // MARK: Settlement

    @Test("completed work: the message is deleted and the record stays completed")
    func completed() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let store = world.store
            let handler = world.handler(
                work: ScriptedWork { claimed, signal in
                    try await ScriptedWork.complete(claimed, in: store, signal: signal)
                })
            #expect(await handler.handle(message) == .completed)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
            #expect(try await world.current(record.id)?.status == .completed)
        }
    }

    @Test("a permanent failure fails the record with its code and deletes the message")
    func permanentFailure() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let handler = world.handler(work: ScriptedWork { _, _ in throw VideoFailure(code: "probe_failed", message: "not a video") })
            #expect(await handler.handle(message) == .failed)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .failed)
            #expect(current.error?.code == "probe_failed")
        }
    }

    @Test("a permanent failure of a record cancelled meanwhile: the refused write leads to deleting the message as cancelled")
    func permanentFailureOfCancelledRecord() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let store = world.store
            let handler = world.handler(
                work: ScriptedWork { claimed, _ in
                    _ = try await store.cancel(id: claimed.id, owner: nil)
                    throw VideoFailure(code: "probe_failed", message: "not a video")
                })
            #expect(await handler.handle(message) == .cancelled)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
            #expect(try await world.current(record.id)?.status == .cancelled)
        }
    }

    @Test("a transient failure releases the record and hides the message for the backoff (5–10 s on the first receive)")
    func transientFailure() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let handler = world.handler(work: ScriptedWork { _, _ in throw S3Error(code: "SlowDown", message: "reduce your request rate") })
            #expect(await handler.handle(message) == .retried)
            await handler.deleter.flush()
            #expect(world.queue.deleted.isEmpty)
            let delays = world.queue.visibilityChanges
            #expect(delays.count == 1)
            #expect(delays.allSatisfy { 5...10 ~= $0 })
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .queued)
            #expect(current.attempts == 1)
        }
    }

    @Test(
        "a transient failure on the message's last allowed receive with attempts left releases the record, sends the message again as a fresh one hidden for the backoff, makes it the record's message and deletes the old one"
    )
    func transientFailureOnLastReceiveSendsAgain() async throws {
        try await HandlerWorld.with { world in
            let (record, first) = try await world.queuedVideo()
            let message = try world.message(for: record, messageID: first.messageID, receiveCount: 5)
            let handler = world.handler(work: ScriptedWork { _, _ in throw S3Error(code: "InternalError", message: "boom") }, maximumReceiveCount: 5)
            #expect(await handler.handle(message) == .retried)
            await handler.deleter.flush()
            let sent = try #require(world.queue.sent.first)
            #expect(world.queue.sent.count == 1)
            #expect(sent.queueURL == HandlerWorld.queueURL)
            #expect(sent.body == message.body)
            #expect((80...160).contains(sent.delaySeconds ?? -1), "the backoff of the fifth receive: \(String(describing: sent.delaySeconds))")
            #expect(
                world.queue.calls.contains {
                    if case .send(_, _, let attributes) = $0 { attributes["videoqueue-resent-from"] == message.messageID } else { false }
                })
            #expect(world.queue.deleted == [message.receiptHandle])
            #expect(world.queue.visibilityChanges.isEmpty, "nothing left for SQS to move to the DLQ")
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .queued)
            #expect(current.attempts == 1)
            #expect(current.messageID == sent.messageID)
        }
    }

    @Test("a transient failure of the record's last allowed attempt fails it with retries_exhausted and deletes the message, on any receive")
    func transientFailureOfLastAttemptFails() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            var configuration = world.configuration()
            configuration.maximumAttempts = 1
            let handler = world.handler(
                work: ScriptedWork { _, _ in throw S3Error(code: "InternalError", message: "boom") },
                configuration: configuration, maximumReceiveCount: 5)
            #expect(await handler.handle(message) == .failed)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
            #expect(world.queue.sent.isEmpty)
            #expect(world.queue.visibilityChanges.isEmpty)
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .failed)
            #expect(current.error?.code == "retries_exhausted")
            #expect(current.error?.message.contains("gave up after 1 attempt (at most 1)") == true)
        }
    }

    @Test("when the fresh message cannot be sent, the old one is hidden for the backoff (to the DLQ, whose watcher sends it again) and not deleted")
    func sendAgainFailsLeavesTheMessageToTheDeadLetterWatcher() async throws {
        try await HandlerWorld.with(queue: FakeJobQueue(failing: [.send])) { world in
            let (record, first) = try await world.queuedVideo()
            let message = try world.message(for: record, messageID: first.messageID, receiveCount: 2)
            let handler = world.handler(work: ScriptedWork { _, _ in throw S3Error(code: "InternalError", message: "boom") }, maximumReceiveCount: 2)
            #expect(await handler.handle(message) == .retried)
            await handler.deleter.flush()
            #expect(world.queue.deleted.isEmpty)
            #expect(world.queue.visibilityChanges.count == 1)
            #expect(world.queue.visibilityChanges.allSatisfy { (10...20).contains($0) })
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .queued)
            #expect(current.messageID == message.messageID, "still the old message, for the dead-letter watcher")
        }
    }

    @Test(
        "a redrive limit of 2 and 5 attempts: a job that fails transiently on its first four attempts completes on its fifth, its message sent again twice, nothing dead-lettered"
    )
    func transientFailuresUntilTheLastAttemptComplete() async throws {
        try await HandlerWorld.with { world in
            let (record, first) = try await world.queuedVideo()
            let store = world.store
            var configuration = world.configuration()
            configuration.maximumAttempts = 5
            let handler = world.handler(
                work: ScriptedWork { claimed, signal in
                    guard claimed.attempts >= 5 else { throw S3Error(code: "SlowDown", message: "attempt \(claimed.attempts)") }
                    return try await ScriptedWork.complete(claimed, in: store, signal: signal)
                }, configuration: configuration, maximumReceiveCount: 2)
            // SQS's part, by hand: a hidden message comes back with its receive count one higher, a sent one with 1; a
            // message past the redrive limit would go to the DLQ.
            var message = first
            var outcomes: [JobOutcome] = []
            for _ in 0..<10 {
                let sentBefore = world.queue.sent.count
                let changesBefore = world.queue.visibilityChanges.count
                let outcome = await handler.handle(message)
                await handler.deleter.flush()
                outcomes.append(outcome)
                if outcome != .retried { break }
                if world.queue.sent.count > sentBefore, let sent = world.queue.sent.last {
                    #expect(world.queue.deleted.last == message.receiptHandle, "the old message deleted")
                    message = try world.message(for: record, messageID: sent.messageID, receiveCount: 1)
                } else {
                    #expect(world.queue.visibilityChanges.count == changesBefore + 1)
                    let receiveCount = (message.approximateReceiveCount ?? 1) + 1
                    try #require(receiveCount <= 2, "the message would have gone to the DLQ")
                    message = try world.message(for: record, messageID: message.messageID, receiveCount: receiveCount)
                }
            }
            #expect(outcomes == [.retried, .retried, .retried, .retried, .completed])
            #expect(world.queue.sent.count == 2)
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .completed)
            #expect(current.attempts == 5)
        }
    }

    @Test("the owner cancels while the job runs: the work is stopped, the message deleted, the record stays cancelled")
    func cancelledWhileRunning() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let work = ScriptedWork.hanging()
            let handler = world.handler(work: work)
            async let outcome = handler.handle(message)
            _ = await work.started()
            _ = try await world.store.cancel(id: record.id, owner: nil)
            #expect(await outcome == .cancelled)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
            #expect(try await world.current(record.id)?.status == .cancelled)
        }
    }

    @Test("the job timeout stops the work, fails the record with job_timeout and deletes the message")
    func timedOut() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let handler = world.handler(work: ScriptedWork.hanging(), configuration: world.configuration(jobTimeout: .milliseconds(200)))
            #expect(await handler.handle(message) == .timedOut)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .failed)
            #expect(current.error?.code == "job_timeout")
        }
    }

    @Test("another consumer takes the record over while the job runs: the job is abandoned, nothing written, the message left alone")
    func lostToNewerAttempt() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let work = ScriptedWork.hanging()
            let handler = world.handler(work: work)
            async let outcome = handler.handle(message)
            let claimed = try #require(await work.started())
            _ = try await world.store.release(id: record.id, attempt: claimed.attempts)
            let newer = try #require(try await world.store.claim(id: record.id, messageID: "another-message"))
            #expect(await outcome == .abandoned)
            await handler.deleter.flush()
            #expect(world.queue.calls.isEmpty)
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .processing)
            #expect(current.attempts == newer.attempts)
        }
    }

    @Test("a shutdown stops the job: the record is released and the message made visible at once")
    func shutdown() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let work = ScriptedWork.hanging()
            let activeJobs = ActiveJobs()
            let handler = world.handler(work: work, activeJobs: activeJobs)
            async let outcome = handler.handle(message)
            _ = await work.started()
            activeJobs.abortAll(.shutdown)
            #expect(await outcome == .released)
            await handler.deleter.flush()
            #expect(world.queue.deleted.isEmpty)
            #expect(world.queue.visibilityChanges == [0])
            #expect(try await world.current(record.id)?.status == .queued)
        }
    }

    @Test("a refused completion under a newer attempt: results not published, the message left to the newer holder")
    func completionRefusedByNewerAttempt() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let store = world.store
            // The record is not watched during this job: the takeover below is seen by the refused completion alone.
            let handler = world.handler(
                work: ScriptedWork { claimed, signal in
                    _ = try await store.release(id: claimed.id, attempt: claimed.attempts)
                    _ = try await store.claim(id: claimed.id, messageID: "another-message")
                    return try await ScriptedWork.complete(claimed, in: store, signal: signal)
                }, configuration: world.configuration(watchInterval: .seconds(3600)))
            #expect(await handler.handle(message) == .abandoned)
            await handler.deleter.flush()
            #expect(world.queue.deleted.isEmpty)
            #expect(try await world.current(record.id)?.status == .processing)
        }
    }

    @Test("a refused completion of a deleted record: the message is deleted")
    func completionRefusedForDeletedRecord() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let store = world.store
            let handler = world.handler(
                work: ScriptedWork { claimed, signal in
                    _ = try await store.delete(id: claimed.id, owner: nil)
                    return try await ScriptedWork.complete(claimed, in: store, signal: signal)
                })
            #expect(await handler.handle(message) == .cancelled)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
            #expect(try await world.current(record.id) == nil)
        }
    }

    @Test("a store that cannot be told the job's end: the message is hidden for the backoff and comes back")
    func storeUnavailableAtSettlement() async throws {
        try await HandlerWorld.with { world in
            let (_, message) = try await world.queuedVideo()
            let store = world.store
            let handler = world.handler(
                work: ScriptedWork { _, _ in
                    try await store.close()
                    throw VideoFailure(code: "probe_failed", message: "not a video")
                })
            #expect(await handler.handle(message) == .retried)
            await handler.deleter.flush()
            #expect(world.queue.deleted.isEmpty)
            #expect(world.queue.visibilityChanges.count == 1)
            #expect(world.queue.visibilityChanges.allSatisfy { 5...10 ~= $0 })
        }
    }

    @Test("a queue that fails the visibility change does not change the outcome (the message comes back by its own timeout)")
    func visibilityChangeFails() async throws {
        try await HandlerWorld.with(queue: FakeJobQueue(failing: [.changeVisibility])) { world in
            let (record, message) = try await world.queuedVideo()
            let handler = world.handler(work: ScriptedWork { _, _ in throw S3Error(code: "SlowDown", message: "later") })
            #expect(await handler.handle(message) == .retried)
            #expect(try await world.current(record.id)?.status == .queued)
        }
    }

    // MARK: Claiming

    @Test("a message for a final record is deleted without running any work", arguments: ["completed", "cancelled", "failed"])
    func finalRecord(status: String) async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let claimed = try #require(try await world.store.claim(id: record.id, messageID: message.messageID))
            switch status {
            case "completed": _ = try await world.store.complete(id: record.id, attempt: claimed.attempts, outputs: [])
            case "cancelled": _ = try await world.store.cancel(id: record.id, owner: nil)
            default: _ = try await world.store.fail(id: record.id, attempt: claimed.attempts, error: VideoFailure(code: "x", message: "y"))
            }
            let handler = world.handler(
                work: ScriptedWork { _, _ in
                    Issue.record("no work may run for a final record")
                    return nil
                })
            #expect(await handler.handle(message) == .skipped)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
        }
    }

    @Test("a message whose record is gone is deleted without work")
    func noRecord() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            _ = try await world.store.delete(id: record.id, owner: nil)
            let handler = world.handler(
                work: ScriptedWork { _, _ in
                    Issue.record("no work may run without a record")
                    return nil
                })
            #expect(await handler.handle(message) == .skipped)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [message.receiptHandle])
        }
    }

    @Test("a duplicate of a running, progressing record is hidden at least a visibility timeout and never takes over")
    func duplicateLeftInvisible() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            _ = try #require(try await world.store.claim(id: record.id, messageID: message.messageID))
            let duplicate = try world.message(for: record, messageID: "duplicate", receiveCount: 1)
            let handler = world.handler(
                work: ScriptedWork { _, _ in
                    Issue.record("a duplicate may not run the job")
                    return nil
                })
            #expect(await handler.handle(duplicate) == .leftToOwner)
            #expect(world.queue.visibilityChanges.count == 1)
            #expect(world.queue.visibilityChanges.allSatisfy { $0 >= 30 })
            #expect(try await world.current(record.id)?.attempts == 1)
        }
    }

    @Test("the record's own message back while processing (its holder died): taken over as a new attempt and run")
    func takeOverOwnMessage() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let first = try #require(try await world.store.claim(id: record.id, messageID: message.messageID))
            let store = world.store
            let handler = world.handler(
                work: ScriptedWork { claimed, signal in
                    try await ScriptedWork.complete(claimed, in: store, signal: signal)
                })
            let again = try world.message(for: record, messageID: message.messageID, receiveCount: 2)
            #expect(await handler.handle(again) == .completed)
            let current = try #require(try await world.current(record.id))
            #expect(current.status == .completed)
            #expect(current.attempts == first.attempts + 1)
        }
    }

    @Test(
        "a running job's own message received again by the same consumer (a late extension): kept by the job, never taken over, the latest receipt handle deleted at the end"
    )
    func ownRunningMessageReceivedAgainIsAdopted() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let store = world.store
            let (release, releaser) = AsyncStream.makeStream(of: Void.self)
            let work = ScriptedWork { claimed, signal in
                for await _ in release { break }
                return try await ScriptedWork.complete(claimed, in: store, signal: signal)
            }
            let handler = world.handler(work: work)
            async let first = handler.handle(message)
            let started = try #require(await work.started())
            #expect(started.attempts == 1)

            let again = try world.message(for: record, messageID: message.messageID, receiveCount: 2)
            #expect(await handler.handle(again) == .leftToOwner)
            #expect(try await world.current(record.id)?.attempts == 1, "not taken over from itself")
            #expect(try await world.current(record.id)?.status == .processing)
            #expect(world.queue.calls.contains(.changeVisibility(receiptHandle: again.receiptHandle, seconds: 30)), "hidden again at once")

            // The heartbeat extends the new receive from now on.
            await handler.heartbeat.beat()
            #expect(world.queue.calls.last == .changeVisibility(receiptHandle: again.receiptHandle, seconds: 30))

            releaser.yield()
            #expect(await first == .completed)
            await handler.deleter.flush()
            #expect(world.queue.deleted == [again.receiptHandle], "the latest receive is the one SQS deletes")
            #expect(try await world.current(record.id)?.attempts == 1)
        }
    }

    @Test("a stale-handle answer for a receipt handle replaced meanwhile does not stop the job; without a newer receive it does")
    func staleAnswerForReplacedHandleIsIgnored() async throws {
        let queue = StaleHandleQueue()
        let heartbeat = VisibilityHeartbeat(
            sqs: queue, queueURL: HandlerWorld.queueURL, visibilityTimeout: 30, interval: .seconds(10), metrics: ConsumerMetrics(),
            logger: ConsumerHarness.logger)
        let signal = AbortSignal()
        heartbeat.register(messageID: "m", receiptHandle: "old", signal: signal, receiveCount: 1)
        // The message comes back here while the beat's call (with the old handle) is on its way.
        queue.duringCall.withLock {
            $0 = {
                _ = heartbeat.adopt(SQSMessage(messageID: "m", receiptHandle: "new", body: "", md5OfBody: "", attributes: ["ApproximateReceiveCount": "2"]))
            }
        }
        await heartbeat.beat()
        #expect(signal.reason == nil, "the job keeps running under its newer receive")
        let latest = heartbeat.latest(SQSMessage(messageID: "m", receiptHandle: "old", body: "", md5OfBody: ""))
        #expect(latest.receiptHandle == "new")
        #expect(latest.approximateReceiveCount == 2)

        queue.duringCall.withLock { $0 = {} }
        await heartbeat.beat()
        #expect(signal.reason == .lostMessage)
    }

    @Test(
        "an undecodable message goes to the dead-letter queue with its reason and the original is deleted",
        arguments: ["", "not json", #"{"version":99}"#, String(repeating: "[", count: 10_000)])
    func undecodable(body: String) async throws {
        try await HandlerWorld.with { world in
            let handler = world.handler(work: ScriptedWork.hanging())
            let message = SQSMessage(messageID: "m", receiptHandle: "h", body: body, md5OfBody: "")
            #expect(await handler.handle(message) == .deadLettered)
            await handler.deleter.flush()
            guard case .send(let queueURL, let sent, let attributes)? = world.queue.calls.first else {
                Issue.record("expected a send to the dead-letter queue, got \(world.queue.calls)")
                return
            }
            #expect(queueURL == HandlerWorld.deadLetterQueueURL)
            #expect(sent == body)
            #expect(attributes["videoqueue-error-code"]?.isEmpty == false)
            #expect(attributes["videoqueue-source-message-id"] == "m")
            #expect(world.queue.deleted == ["h"])
        }
    }

    @Test("an undecodable message without a dead-letter queue is left to the redrive policy, nothing sent or deleted")
    func undecodableWithoutDeadLetterQueue() async throws {
        try await HandlerWorld.with { world in
            let handler = world.handler(work: ScriptedWork.hanging(), deadLetterQueue: false)
            #expect(await handler.handle(SQSMessage(messageID: "m", receiptHandle: "h", body: "{", md5OfBody: "")) == .retried)
            await handler.deleter.flush()
            #expect(world.queue.calls.isEmpty)
        }
    }

    @Test("a dead-letter queue that cannot be reached: the message is hidden for the backoff, not deleted")
    func deadLetterQueueDown() async throws {
        try await HandlerWorld.with(queue: FakeJobQueue(failing: [.send])) { world in
            let handler = world.handler(work: ScriptedWork.hanging())
            #expect(await handler.handle(SQSMessage(messageID: "m", receiptHandle: "h", body: "{", md5OfBody: "")) == .retried)
            await handler.deleter.flush()
            #expect(world.queue.deleted.isEmpty)
            #expect(world.queue.visibilityChanges.count == 1)
        }
    }
}

/// A queue that answers every visibility change as a stale receipt handle, running `duringCall` first.
private final class StaleHandleQueue: JobQueue {
    let duringCall = Mutex<@Sendable () -> Void>({})

    func receive(from queueURL: String, maximumMessages: Int, waitTime: Int, visibilityTimeout: Int?) async throws -> [SQSMessage] { [] }
    func send(_ message: SQSOutgoingMessage, to queueURL: String) async throws -> SQSSendResult {
        SQSSendResult(messageID: "sent")
    }
    func deleteBatch(receiptHandles: [String], from queueURL: String) async throws -> SQSBatchResult<Bool> { SQSBatchResult() }
    func changeVisibility(receiptHandle: String, in queueURL: String, timeout: Int) async throws {}
    func changeVisibilityBatch(_ changes: [(receiptHandle: String, timeout: Int)], in queueURL: String) async throws -> SQSBatchResult<Bool> {
        duringCall.withLock { $0 }()
        let stale = SQSBatchFailure(code: SQSError.Code(rawValue: "ReceiptHandleIsInvalid"), message: "stale", senderFault: true)
        return SQSBatchResult(failed: Dictionary(uniqueKeysWithValues: changes.indices.map { ($0, stale) }))
    }
}
