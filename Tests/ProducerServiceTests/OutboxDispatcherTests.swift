import Foundation
import Logging
import SQSClient
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// The outbox dispatcher does not turn its own failures into duplicate messages.
@Suite("Outbox dispatcher")
struct OutboxDispatcherTests {
    /// Runs one SQL statement on a SQLite file with the `sqlite3` shell (the store keeps its own connection), off the
    /// cooperative pool.
    static func sqlite(_ path: String, _ statement: String) async throws {
        guard try await runTool(["sqlite3", path, statement]).status == 0 else { throw EmulatorError("sqlite3 failed: \(statement)") }
    }

    @Test("a message sent whose 'sent' mark fails is never sent again: the mark is retried until the database answers")
    func failedMarkDoesNotResend() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let record = VideoRecord(
                owner: "alice", title: "t", originalFilename: "a.mp4", sourceBucket: fixture.bucket,
                sourceKey: "sources/x/source", size: 1, contentType: "video/mp4", jobs: [.transcode])
            _ = try await fixture.store.create(record, outboxPayload: try QueueMessage(video: record).encodedString())
            let database = fixture.directory.file("videos.sqlite")
            // The outbox stays readable, the records table does not: SendMessage succeeds, the mark fails.
            try await Self.sqlite(database, "ALTER TABLE videos RENAME TO videos_away")
            let dispatcher = OutboxDispatcher(
                store: fixture.store, sqs: fixture.sqs, queueURL: fixture.queueURL,
                logger: Logger(label: "test"))
            #expect(await dispatcher.dispatchDue() == 1)
            #expect(dispatcher.unmarkedCount == 1)

            // The entry is due again (its lease moved back to now): still not sent a second time.
            let leased = try await fixture.store.dueOutbox(limit: 10, now: Date().addingTimeInterval(120), lease: .zero)
            let entry = try #require(leased.first)
            _ = try await fixture.store.rescheduleOutbox(entryID: entry.id, notBefore: Date().addingTimeInterval(-1), error: nil)
            #expect(await dispatcher.dispatchDue() == 0)
            #expect(dispatcher.unmarkedCount == 1)

            // The database answers again: the mark goes through, the record is queued with the one message's id.
            try await Self.sqlite(database, "ALTER TABLE videos_away RENAME TO videos")
            #expect(await dispatcher.dispatchDue() == 0)
            #expect(dispatcher.unmarkedCount == 0)
            let queued = try #require(try await fixture.store.video(id: record.id, owner: nil))
            #expect(queued.status == .queued)
            #expect(try await fixture.store.outboxDepth() == 0)
            let attributes = try await fixture.sqs.attributes(of: fixture.queueURL, names: ["ApproximateNumberOfMessages"])
            #expect(attributes["ApproximateNumberOfMessages"] == "1", "one message, not two")
            let messages = try await fixture.sqs.receive(from: fixture.queueURL, maximumMessages: 10, waitTime: 1)
            #expect(messages.map(\.messageID) == [queued.messageID].compactMap { $0 })
        }
    }
}
