import Foundation
import SQSClient
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ConsumerService

/// The dead-letter watcher against LocalStack (a redrive limit of 1, a visibility of 1 s) and both databases:
/// records whose message reached the DLQ unfinished end `failed`, exactly.
@Suite("Consumer dead-letter watcher")
struct DeadLetterWatcherTests {
    /// The harness's configuration with the watcher checking every 200 ms and one attempt per record (a record with
    /// attempts left is sent again: DeadLetterResendTests).
    private static func watching(_ harness: ConsumerHarness) -> ConsumerConfiguration {
        var configuration = harness.configuration(visibility: 1)
        configuration.deadLetterCheckInterval = .milliseconds(200)
        configuration.maximumAttempts = 1
        return configuration
    }

    @Test(
        "a record claimed on its message's last receive whose consumer died, or that was handed back, ends failed with dead_lettered",
        arguments: TestDatabaseBackend.allCases)
    func recordOfADeadLetteredMessageFails(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(visibility: 1, maximumReceiveCount: 1, database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let died = try await harness.enqueue(source: nil, sendMessage: false)
            let diedMessageID = try await harness.send(died)
            // A consumer receives the message on its last allowed receive, claims the record and is SIGKILLed.
            let (message, claimed) = try await harness.receiveAndClaim(visibility: 1)
            #expect(message.messageID == diedMessageID)
            #expect(message.approximateReceiveCount == 1)
            #expect(claimed.id == died.id && claimed.status == .processing && claimed.messageID == diedMessageID)
            // Another is handed back (released to queued) on its last receive by a shutdown.
            let handedBack = try await harness.enqueue(source: nil, sendMessage: false)
            _ = try await harness.send(handedBack)
            let (_, second) = try await harness.receiveAndClaim(visibility: 1)
            #expect(second.id == handedBack.id)
            _ = try #require(try await harness.store.release(id: handedBack.id, attempt: second.attempts))

            let services = RunningServices([harness.consumer(Self.watching(harness))])
            let failed = try await ConsumerHarness.eventually(timeout: .seconds(30)) {
                let first = try await harness.record(died.id).status
                let second = try await harness.record(handedBack.id).status
                return first == .failed && second == .failed
            }
            try await services.stop()
            #expect(failed)

            for id in [died.id, handedBack.id] {
                let record = try await harness.record(id)
                #expect(record.status == .failed)
                #expect(record.error?.code == DeadLetterWatcher.failureCode)
                #expect(record.error?.message.contains("dead-letter queue after 1 receive") == true, "\(record.error?.message ?? "")")
                #expect(record.attempts == 1)
                #expect(record.finishedAt != nil)
            }
            #expect(try await harness.record(died.id).error?.message.contains("was processing") == true)
            #expect(try await harness.record(handedBack.id).error?.message.contains("was queued") == true)
            // The records carry the failures: the messages are deleted from the DLQ, and the jobs queue is empty.
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0)
            #expect(try await harness.messageCount() == 0)
        }
    }

    @Test("a stale DLQ message does not fail a record retried since with a new message, and is deleted", arguments: TestDatabaseBackend.allCases)
    func retriedRecordIsLeftAlone(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(visibility: 1, maximumReceiveCount: 1, database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(source: nil, sendMessage: false)
            let first = try await harness.send(record)
            let (_, claimed) = try await harness.receiveAndClaim(visibility: 1)
            try #require(try await harness.waitForDeadLetters(1))

            // The record was failed meanwhile, retried, and its new message sent through the outbox.
            _ = try #require(
                try await harness.store.fail(
                    id: record.id, attempt: claimed.attempts,
                    error: VideoFailure(code: "test", message: "failed by hand")))
            let retried = try #require(try await harness.store.retry(id: record.id, owner: nil))
            #expect(retried.status == .queued && retried.messageID == nil)
            let entry = try #require(try await harness.store.dueOutbox(limit: 10).first { $0.videoID == record.id })
            let sent = try await harness.sqs.send(SQSOutgoingMessage(body: entry.payload), to: harness.queueURL)
            #expect(
                try await harness.store.outboxSent(entryID: entry.id, videoID: record.id, messageID: sent.messageID) == nil,
                "already queued by the retry")
            #expect(try await harness.record(record.id).messageID == sent.messageID)
            #expect(sent.messageID != first)

            let consumer = harness.consumer(Self.watching(harness))
            let watcher = try #require(consumer.makeDeadLetterWatcher(try await consumer.queueSettings()))
            var decisions: [DeadLetterWatcher.Decision] = []
            let checked = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                decisions += try await watcher.check()
                return !decisions.isEmpty
            }
            #expect(checked)
            #expect(decisions == [DeadLetterWatcher.Decision(messageID: first, videoID: record.id, verdict: .newerMessage)])
            let current = try await harness.record(record.id)
            #expect(current.status == .queued)
            #expect(current.error == nil)
            #expect(current.messageID == sent.messageID)
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0, "deleted: the record no longer needs it")
        }
    }

    @Test("undecodable and poison DLQ messages are skipped and kept for an operator, and the watcher keeps running", arguments: TestDatabaseBackend.allCases)
    func junkIsSkipped(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(visibility: 1, maximumReceiveCount: 1, database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            try await harness.sqs.send(SQSOutgoingMessage(body: "{not json"), to: harness.deadLetterQueueURL)
            try await harness.sqs.send(
                SQSOutgoingMessage(
                    body: #"{"version":99,"video":{}}"#,
                    attributes: [
                        "videoqueue-error": .string("unsupported version"), "videoqueue-error-code": .string("unsupportedVersion"),
                    ]), to: harness.deadLetterQueueURL)

            // A consumer claims a record and dies; its message reaches the DLQ once its visibility (4 s) runs out.
            let record = try await harness.enqueue(source: nil, sendMessage: false)
            _ = try await harness.send(record)
            _ = try await harness.receiveAndClaim(visibility: 4)

            let services = RunningServices([harness.consumer(Self.watching(harness))])
            // The watcher received the junk (in flight now, for an hour) before the record's message got there...
            let seen = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                try await harness.inFlightCount(harness.deadLetterQueueURL) == 2
            }
            #expect(seen)
            // The junk is still there (the record's message may have arrived meanwhile on a loaded machine: its 4 s
            // visibility and this wait are not ordered).
            #expect((2...3).contains(try await harness.messageCount(harness.deadLetterQueueURL)))
            // ...and, still running, fails the record when its message arrives.
            let failed = try await ConsumerHarness.eventually(timeout: .seconds(30)) {
                try await harness.record(record.id).status == .failed
            }
            try await services.stop()
            #expect(failed)
            #expect(try await harness.record(record.id).error?.code == DeadLetterWatcher.failureCode)
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 2, "the junk kept, the failed record's message deleted")
        }
    }

    @Test("the watcher's check on its own: every verdict deletes its message, and a store error leaves the messages for a later check")
    func verdicts() async throws {
        let harness = try await ConsumerHarness.make(visibility: 1, maximumReceiveCount: 1)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            // A finished record, a deleted one, and one whose message is current.
            let completed = try await harness.enqueue(source: nil, sendMessage: false)
            let deleted = try await harness.enqueue(source: nil, sendMessage: false)
            let current = try await harness.enqueue(source: nil, sendMessage: false)
            var messageIDs: [UUID: String] = [:]
            for record in [completed, deleted, current] { messageIDs[record.id] = try await harness.send(record) }
            for _ in 0..<3 { _ = try await harness.receiveAndClaim(visibility: 1) }
            let claimed = try await harness.record(completed.id)
            _ = try #require(try await harness.store.complete(id: completed.id, attempt: claimed.attempts, outputs: []))
            #expect(try await harness.store.delete(id: deleted.id, owner: nil))
            try #require(try await harness.waitForDeadLetters(3))

            // A store that cannot answer (no tables): the check throws and the messages come back after the interval
            // (200 ms, at least a second) instead of an hour.
            let unmigrated = try await DatabaseConfiguration(url: harness.directory.file("unmigrated.sqlite")).makeStore()
            let broken = DeadLetterWatcher(
                sqs: harness.sqs, store: unmigrated, deadLetterQueueURL: harness.deadLetterQueueURL,
                queueURL: harness.queueURL, maximumAttempts: 1, maximumReceiveCount: 1, interval: .milliseconds(200), metrics: ConsumerMetrics(),
                logger: ConsumerHarness.logger)
            let threw = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                do {
                    _ = try await broken.check()
                    return false
                } catch {
                    return true
                }
            }
            try await unmigrated.close()
            #expect(threw)

            let consumer = harness.consumer(Self.watching(harness))
            let watcher = try #require(consumer.makeDeadLetterWatcher(try await consumer.queueSettings()))
            var decisions: [DeadLetterWatcher.Decision] = []
            _ = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                decisions += try await watcher.check()
                return decisions.count >= 3
            }
            let verdicts = Dictionary(decisions.map { ($0.messageID, $0.verdict) }, uniquingKeysWith: { first, _ in first })
            #expect(
                verdicts == [
                    messageIDs[completed.id] ?? "": .finished, messageIDs[deleted.id] ?? "": .noRecord,
                    messageIDs[current.id] ?? "": .failed,
                ])
            #expect(try await harness.record(current.id).status == .failed)
            #expect(try await harness.record(completed.id).status == .completed)
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0, "finished, no record, failed: all deleted")

            // No watcher without a DLQ, or with the interval at zero.
            #expect(consumer.makeDeadLetterWatcher(QueueSettings(maximumReceiveCount: 1, deadLetterQueueURL: nil)) == nil)
            #expect(harness.consumer().makeDeadLetterWatcher(try await consumer.queueSettings()) == nil)
        }
    }
}
