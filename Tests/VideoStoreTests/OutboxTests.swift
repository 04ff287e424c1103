import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct OutboxTests {
    @Test(arguments: StoreBackend.allCases)
    func dueSentAndReschedule(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            var records: [VideoRecord] = []
            for index in 0..<5 {
                let record = Sample.record(title: "t\(index)")
                records.append(try await store.create(record, outboxPayload: try Sample.payload(record)))
            }
            #expect(try await store.outboxDepth() == 5)
            #expect(try await store.dueOutbox(limit: 10, now: Date().addingTimeInterval(-3600)).isEmpty, "not due yet")

            let now = Date().addingTimeInterval(1)
            let first = try await store.dueOutbox(limit: 3, now: now, lease: .seconds(60))
            #expect(first.count == 3)
            #expect(first.allSatisfy { $0.attempts == 1 })
            let rest = try await store.dueOutbox(limit: 10, now: now, lease: .seconds(60))
            #expect(rest.count == 2, "leased entries are not handed out again")
            #expect(Set((first + rest).map(\.videoID)) == Set(records.map(\.id)))
            #expect(try await store.dueOutbox(limit: 10, now: now).isEmpty)
            #expect(try await store.dueOutbox(limit: 10, now: now.addingTimeInterval(61)).count == 5, "lease ran out")

            // Sent: the entry goes, the record moves pending → queued.
            let sent = first[0]
            let queued = try #require(try await store.outboxSent(entryID: sent.id, videoID: sent.videoID))
            #expect(queued.status == .queued && queued.queuedAt != nil)
            #expect(try await store.outboxDepth() == 4)
            #expect(try await store.outboxSent(entryID: sent.id, videoID: sent.videoID) == nil, "already queued")

            // Rescheduled: due again at the given time, with the error kept (NUL and all).
            let failed = first[1]
            let later = now.addingTimeInterval(600)
            #expect(try await store.rescheduleOutbox(entryID: failed.id, notBefore: later, error: "SQS said no\u{0}!"))
            #expect(try await store.rescheduleOutbox(entryID: UUID(), notBefore: later, error: nil) == false)
            let afterReschedule = try await store.dueOutbox(limit: 10, now: later, lease: .seconds(1))
            let again = try #require(afterReschedule.first { $0.id == failed.id })
            #expect(again.lastError == "SQS said no\u{0}!")
            #expect(again.payload == failed.payload)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func consumerFasterThanOutbox(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let record = try await store.create(Sample.record(), outboxPayload: "{}")
            let entry = try #require(try await store.dueOutbox(limit: 1, now: Date().addingTimeInterval(1)).first)
            // The message is on SQS and a consumer claims it before the outbox records the send.
            let claimed = try #require(try await store.claim(id: record.id))
            #expect(claimed.status == .processing && claimed.queuedAt != nil)
            #expect(try await store.outboxSent(entryID: entry.id, videoID: record.id) == nil)
            #expect(try await store.video(id: record.id, owner: nil)?.status == .processing, "not moved backwards")
            #expect(try await store.outboxDepth() == 0)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentSendersNeverShareAnEntry(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { database, store in
            for _ in 0..<30 { _ = try await store.create(Sample.record(), outboxPayload: "{}") }
            let other = try await database.open()
            let now = Date().addingTimeInterval(1)
            let batches = try await withThrowingTaskGroup(of: [OutboxEntry].self) { group in
                for index in 0..<6 {
                    let sender: any VideoStore = index.isMultiple(of: 2) ? store : other
                    group.addTask { try await sender.dueOutbox(limit: 7, now: now, lease: .seconds(60)) }
                }
                return try await group.reduce(into: [OutboxEntry]()) { $0 += $1 }
            }
            let remaining = try await store.dueOutbox(limit: 100, now: now, lease: .seconds(60))
            let all = batches + remaining
            #expect(Set(all.map(\.id)).count == all.count, "an entry went to two senders")
            #expect(all.count == 30)
        }
    }
}
