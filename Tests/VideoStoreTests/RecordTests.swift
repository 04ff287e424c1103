import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct RecordTests {
    @Test(arguments: StoreBackend.allCases)
    func createWritesRecordAndOutboxTogether(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            var record = Sample.record()
            record.status = .completed  // ignored: a new record is pending
            let payload = try Sample.payload(record)
            let created = try await store.create(record, outboxPayload: payload)
            #expect(created.status == .pending)
            #expect(created.id == record.id && created.title == record.title && created.jobs == record.jobs)
            #expect(try await store.video(id: record.id, owner: nil) == created)
            #expect(try await store.outboxDepth() == 1)
            let due = try await store.dueOutbox(limit: 10, now: Date().addingTimeInterval(1))
            #expect(due.count == 1)
            #expect(due.first?.videoID == record.id && due.first?.payload == payload)

            await #expect(throws: VideoStoreError.self) { try await store.create(record, outboxPayload: payload) }
            do { _ = try await store.create(record, outboxPayload: payload) } catch let error as VideoStoreError {
                #expect(error.code == .conflict, "\(error)")
            }
            #expect(try await store.outboxDepth() == 1, "the failed create left no outbox entry")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aFailedTransactionLeavesNothing(backend: StoreBackend) async throws {
        struct Boom: Error {}
        try await TestDatabase.with(backend) { _, store in
            let backendStore = try #require((store as? SQLiteVideoStore)?.store ?? (store as? PostgresVideoStore)?.store)
            let record = Sample.record()
            await #expect(throws: Boom.self) {
                try await backendStore.backend.transaction { db in
                    try await db.execute(
                        "INSERT INTO outbox (id, video_id, payload, created_at, not_before) VALUES ($1, $2, $3, 1, 1)",
                        [.text(UUID().uuidString), .text(record.id.uuidString), .text("{}")])
                    throw Boom()
                }
            }
            #expect(try await store.outboxDepth() == 0)
            // …and the store is usable afterwards (the connection left the transaction).
            _ = try await store.create(record, outboxPayload: "{}")
            #expect(try await store.outboxDepth() == 1)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func ownerScoping(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let record = try await store.create(Sample.record(owner: "alice"), outboxPayload: "{}")
            #expect(try await store.video(id: record.id, owner: "alice") != nil)
            #expect(try await store.video(id: record.id, owner: "bob") == nil)
            #expect(try await store.video(id: record.id, owner: nil) != nil)
            #expect(try await store.video(id: UUID(), owner: nil) == nil)
            #expect(try await store.cancel(id: record.id, owner: "bob") == nil)
            #expect(try await store.delete(id: record.id, owner: "bob") == false)
            #expect(try await store.delete(id: record.id, owner: "alice") == true)
            #expect(try await store.video(id: record.id, owner: nil) == nil)
            #expect(try await store.outboxDepth() == 0, "delete removes the outbox entries")
            #expect(try await store.delete(id: record.id, owner: nil) == false)
        }
    }

    static let hostileTitles: [String] = [
        "Robert'); DROP TABLE videos;--",
        "' OR '1'='1",
        "\"; DELETE FROM api_keys; --",
        "$1 $2 ?1 ? :name @x",
        "nul\u{0}byte\u{0}\u{0}",
        "\u{0}",
        "日本語のタイトル 👩‍👩‍👧‍👦 🇺🇳 \u{202E}txt.exe \u{FEFF}\u{200B}",
        "tab\tnewline\nreturn\r backslash\\ quote\" apostrophe'",
        "e\u{301} vs é",
        String(repeating: "A", count: 100 * 1024),
        String(repeating: "🎬", count: 25_000),
        "",
    ]

    @Test(arguments: StoreBackend.allCases)
    func hostileStringsRoundTripExactly(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            for title in Self.hostileTitles {
                var record = Sample.record(title: title)
                record.originalFilename = title
                record.sourceKey = title
                record.contentType = title
                record.sha256 = title
                let created = try await store.create(record, outboxPayload: "{}")
                let read = try #require(try await store.video(id: record.id, owner: "alice"))
                #expect(read == created)
                #expect(Array(read.title.utf8) == Array(title.utf8), "title of \(title.utf8.count) bytes")
                #expect(Array(read.originalFilename.utf8) == Array(title.utf8))
                let failure = VideoFailure(code: "ffmpeg_failed", message: title, detail: title)
                let claimed = try #require(try await store.claim(id: record.id))
                let failed = try #require(try await store.fail(id: record.id, attempt: claimed.attempts, error: failure))
                #expect(failed.error == failure)
                #expect(try await store.video(id: record.id, owner: nil)?.error == failure)
            }
            #expect(
                try await store.videos(owner: nil, status: nil, cursor: nil, limit: 100).videos.count
                    == Self.hostileTitles.count, "no statement was subverted")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func plainColumnsRefuseNUL(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            await #expect(throws: VideoStoreError.self) {
                try await store.create(Sample.record(owner: "ali\u{0}ce"), outboxPayload: "{}")
            }
            await #expect(throws: VideoStoreError.self) {
                try await store.createAPIKey(owner: "x\u{0}", name: "n", isAdmin: false)
            }
            // Owners with quotes and unicode are fine.
            let odd = "o'wner \"x\" 日本"
            let record = try await store.create(Sample.record(owner: odd), outboxPayload: "{}")
            #expect(try await store.video(id: record.id, owner: odd)?.owner == odd)
        }
    }
}
