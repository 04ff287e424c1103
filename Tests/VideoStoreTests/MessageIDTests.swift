import Foundation
import Testing
import VideoCore

@testable import VideoStore

/// The record's SQS message id (`videos.message_id`): set by the outbox and by claims, cleared by a retry, and
/// the condition of the dead-letter watcher's `fail(id:messageID:error:)`.
@Suite struct MessageIDTests {
    @Test(arguments: StoreBackend.allCases)
    func setByTheOutboxAndByClaims(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { database, store in
            let record = try await store.create(Sample.record(), outboxPayload: "{}")
            #expect(record.messageID == nil)
            let entry = try #require(try await store.dueOutbox(limit: 1, now: Date().addingTimeInterval(1)).first)
            let queued = try #require(try await store.outboxSent(entryID: entry.id, videoID: record.id, messageID: "m-sent"))
            #expect(queued.status == .queued && queued.messageID == "m-sent")

            let claimed = try #require(try await store.claim(id: record.id, messageID: "m-received"))
            #expect(claimed.messageID == "m-received")
            // A claim without an id (older callers) keeps the one recorded.
            _ = try #require(try await store.release(id: record.id, attempt: claimed.attempts))
            let again = try #require(try await store.claim(id: record.id))
            #expect(again.messageID == "m-received")
            // Stored, not only returned: another connection reads it.
            let other = try await database.open()
            #expect(try await other.video(id: record.id, owner: nil)?.messageID == "m-received")
            #expect(try await other.videos(owner: nil, status: .processing, cursor: nil, limit: 10).videos.first?.messageID == "m-received")

            let marked = try await store.create(Sample.record(), outboxPayload: "{}")
            #expect(try await store.markQueued(id: marked.id, messageID: "m-marked")?.messageID == "m-marked")
            // Not part of the record's JSON (the queue message and the API).
            let body = try QueueMessage(video: claimed).encodedString()
            #expect(!body.contains("m-received") && !body.contains("messageID"))
            #expect(try QueueMessage.decode(body).video.messageID == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func retryClearsItAndTheNewMessageSetsIt(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let record = try await store.create(Sample.record(), outboxPayload: "{}")
            let first = try #require(try await store.dueOutbox(limit: 1, now: Date().addingTimeInterval(1)).first)
            _ = try await store.outboxSent(entryID: first.id, videoID: record.id, messageID: "m-1")
            let claimed = try #require(try await store.claim(id: record.id, messageID: "m-1"))
            _ = try #require(try await store.fail(id: record.id, attempt: claimed.attempts, error: VideoFailure(code: "x", message: "y")))

            let retried = try #require(try await store.retry(id: record.id, owner: nil))
            #expect(retried.status == .queued && retried.messageID == nil)
            let second = try #require(try await store.dueOutbox(limit: 1, now: Date().addingTimeInterval(1)).first)
            #expect(try await store.outboxSent(entryID: second.id, videoID: record.id, messageID: "m-2") == nil, "queued already")
            #expect(try await store.video(id: record.id, owner: nil)?.messageID == "m-2")
            #expect(try await store.outboxDepth() == 0)

            // A late duplicate send does not replace the id of the message the record is queued with.
            let duplicate = try await store.create(Sample.record(), outboxPayload: "{}")
            _ = try await store.markQueued(id: duplicate.id, messageID: "m-a")
            let entry = try #require(try await store.dueOutbox(limit: 1, now: Date().addingTimeInterval(1)).first)
            _ = try await store.outboxSent(entryID: entry.id, videoID: duplicate.id, messageID: "m-b")
            #expect(try await store.video(id: duplicate.id, owner: nil)?.messageID == "m-a")

            // The consumer faster than the outbox: the claim's id stays.
            let fast = try await store.create(Sample.record(), outboxPayload: "{}")
            let fastEntry = try #require(try await store.dueOutbox(limit: 1, now: Date().addingTimeInterval(1)).first)
            _ = try #require(try await store.claim(id: fast.id, messageID: "m-fast"))
            #expect(try await store.outboxSent(entryID: fastEntry.id, videoID: fast.id, messageID: "m-fast") == nil)
            #expect(try await store.video(id: fast.id, owner: nil)?.messageID == "m-fast")
        }
    }

    /// `fail(id:messageID:error:)` from every status: only a waiting or processing record whose message id is
    /// the given one fails.
    @Test(arguments: StoreBackend.allCases, VideoStatus.allCases)
    func failByMessageIDFromEveryStatus(backend: StoreBackend, status: VideoStatus) async throws {
        try await TestDatabase.with(backend) { _, store in
            let created = try await store.create(Sample.record(), outboxPayload: "{}")
            let record: VideoRecord
            switch status {
            case .pending: record = created
            case .queued: record = try #require(try await store.markQueued(id: created.id, messageID: "m"))
            case .processing:
                _ = try await store.markQueued(id: created.id, messageID: "m")
                record = try #require(try await store.claim(id: created.id, messageID: "m"))
            case .completed, .failed, .cancelled:
                _ = try await store.markQueued(id: created.id, messageID: "m")
                let claimed = try #require(try await store.claim(id: created.id, messageID: "m"))
                let finished: VideoRecord?
                if status == .completed {
                    finished = try await store.complete(id: created.id, attempt: claimed.attempts, outputs: [])
                } else if status == .failed {
                    finished = try await store.fail(id: created.id, attempt: claimed.attempts, error: VideoFailure(code: "x", message: "y"))
                } else {
                    finished = try await store.cancel(id: created.id, owner: nil)
                }
                record = try #require(finished)
            }
            #expect(record.status == status)
            let failure = VideoFailure(code: "dead_lettered", message: "the message went to the DLQ")
            #expect(try await store.fail(id: record.id, messageID: "another", error: failure) == nil, "another message: left alone")
            #expect(try await store.fail(id: UUID(), messageID: "m", error: failure) == nil)
            let result = try await store.fail(id: record.id, messageID: "m", error: failure)
            // A pending record has no message id yet; final ones stay as they are.
            let expected = [.queued, .processing].contains(status)
            #expect((result != nil) == expected, "from \(status)")
            let stored = try #require(try await store.video(id: record.id, owner: nil))
            if expected {
                #expect(stored.status == .failed && stored.error == failure && stored.finishedAt != nil)
                #expect(stored.attempts == record.attempts && stored.messageID == "m")
            } else {
                #expect(stored == record, "unchanged")
            }
        }
    }
}
