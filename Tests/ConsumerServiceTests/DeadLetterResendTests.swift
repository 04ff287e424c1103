import Foundation
import SQSClient
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ConsumerService

/// The record's attempt limit: a message that reaches the DLQ while its record has attempts left (or was never
/// claimed) is sent again as a fresh message instead of failing the record.
@Suite("Consumer dead-letter resend")
struct DeadLetterResendTests {
    @Test(
        "with attempts left, a dead-lettered message is sent again and deleted from the DLQ: the record claimed once and abandoned, and one never claimed, both complete; queue and DLQ end empty",
        arguments: TestDatabaseBackend.allCases)
    func attemptsLeftResend(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(visibility: 1, maximumReceiveCount: 1, database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            // Claimed on its message's only allowed receive by a consumer that then died.
            let died = try await harness.enqueue(jobs: [.audio], source: video, sendMessage: false)
            let diedMessageID = try await harness.send(died)
            let (_, claimed) = try await harness.receiveAndClaim(visibility: 1)
            #expect(claimed.id == died.id && claimed.attempts == 1)
            // Never claimed: its message is received once (a consumer that could not read the database) and expires.
            let unclaimed = try await harness.enqueue(jobs: [.audio], source: video, sendMessage: false)
            let unclaimedMessageID = try await harness.send(unclaimed)
            _ = try await harness.store.outboxSent(entryID: UUID(), videoID: unclaimed.id, messageID: unclaimedMessageID)
            #expect(try await harness.record(unclaimed.id).messageID == unclaimedMessageID)
            try #require(try await harness.waitForDeadLetters(2))

            var configuration = harness.configuration(visibility: 1)
            configuration.deadLetterCheckInterval = .milliseconds(200)
            configuration.maximumAttempts = 2
            let services = RunningServices([harness.consumer(configuration)])
            let done = try await ConsumerHarness.eventually(timeout: .seconds(40)) {
                for id in [died.id, unclaimed.id] where try await harness.record(id).status != .completed { return false }
                return true
            }
            // A late extension can send a message of a completed record to the DLQ (one receive allowed); the
            // watcher deletes it there. Both queues must drain while the consumer still runs.
            let drained = try await ConsumerHarness.eventually(timeout: .seconds(20)) {
                let (jobs, deadLetters) = (try await harness.messageCount(), try await harness.messageCount(harness.deadLetterQueueURL))
                return jobs == 0 && deadLetters == 0
            }
            try await services.stop()
            #expect(done)
            #expect(drained, "each original deleted once it was sent again")
            let diedFinal = try await harness.record(died.id)
            #expect(diedFinal.attempts == 2, "taken over by its new message")
            #expect(diedFinal.messageID != diedMessageID)
            let unclaimedFinal = try await harness.record(unclaimed.id)
            #expect(unclaimedFinal.attempts == 1)
            #expect(unclaimedFinal.messageID != unclaimedMessageID)
            #expect(try await harness.messageCount() == 0)
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0, "each original deleted once it was sent again")
        }
    }

    @Test(
        "without attempts left the dead-lettered message still fails the record and is deleted (the record carries the failure); a record changed meanwhile is left alone"
    )
    func noAttemptsLeftFails() async throws {
        let harness = try await ConsumerHarness.make(visibility: 1, maximumReceiveCount: 1)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(source: nil, sendMessage: false)
            let messageID = try await harness.send(record)
            _ = try await harness.receiveAndClaim(visibility: 1)
            try #require(try await harness.waitForDeadLetters(1))
            var configuration = harness.configuration(visibility: 1)
            configuration.deadLetterCheckInterval = .milliseconds(200)
            configuration.maximumAttempts = 1
            let consumer = harness.consumer(configuration)
            let watcher = try #require(consumer.makeDeadLetterWatcher(try await consumer.queueSettings()))
            var decisions: [DeadLetterWatcher.Decision] = []
            _ = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                decisions += try await watcher.check()
                return !decisions.isEmpty
            }
            #expect(decisions.map(\.verdict) == [.failed])
            #expect(decisions.first?.messageID == messageID)
            let failed = try await harness.record(record.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.message.contains("attempt 1 of 1") == true)
            #expect(try await harness.messageCount() == 0, "nothing sent again")
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0)

            // The store's condition: only the record's current message is replaced, only while it waits or runs.
            #expect(try await harness.store.replaceMessageID(id: record.id, current: messageID, with: "new") == nil, "failed: final")
            let other = try await harness.enqueue(source: nil, sendMessage: false)
            _ = try await harness.store.outboxSent(entryID: UUID(), videoID: other.id, messageID: "m-1")
            #expect(try await harness.store.replaceMessageID(id: other.id, current: "m-0", with: "m-2") == nil, "not the current message")
            #expect(try await harness.store.replaceMessageID(id: other.id, current: "m-1", with: "m-2")?.messageID == "m-2")
            #expect(try await harness.record(other.id).status == .queued)
        }
    }
}
