import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct MigrationTests {
    @Test(arguments: StoreBackend.allCases)
    func migrateIsIdempotent(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { database, store in
            #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
            try await store.migrate()
            try await store.migrate()
            #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
            let record = try await store.create(Sample.record(), outboxPayload: "{}")
            let reopened = try await database.open()
            try await reopened.migrate()
            #expect(try await reopened.video(id: record.id, owner: nil) == record, "data survives")
        }
    }

    /// Several processes start at once on an empty database: all succeed, each migration runs once.
    @Test(arguments: StoreBackend.allCases)
    func concurrentMigrations(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend, migrate: false) { database, first in
            var stores: [any VideoStore] = [first]
            for _ in 0..<4 { stores.append(try await database.open()) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { try await store.migrate() } }
                try await group.waitForAll()
            }
            for store in stores {
                #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
            }
            _ = try await stores[3].create(Sample.record(), outboxPayload: "{}")
            #expect(try await first.outboxDepth() == 1)
        }
    }

    /// A database at version 1 with a record in it: version 2 adds `videos.message_id`, the record reads with none.
    @Test(arguments: StoreBackend.allCases)
    func upgradeFromVersion1(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend, migrate: false) { _, store in
            let sql = try #require((store as? any SQLStoreForwarding)?.store.backend)
            _ = try await sql.execute("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
            for statement in try #require(Migrations.all.first { $0.version == 1 }).statements { _ = try await sql.execute(statement) }
            _ = try await sql.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'v1', 0)")
            let id = UUID()
            let metadata = #"{"title":"old","originalFilename":"old.mp4","sourceBucket":"b","sourceKey":"k","contentType":"video/mp4"}"#
            _ = try await sql.execute(
                """
                INSERT INTO videos (id, owner, status, size, jobs, outputs, metadata, created_at, updated_at)
                VALUES ($1, 'alice', 'queued', 1, '[]', '[]', $2, 0, 0)
                """, [.text(id.uuidString), .text(metadata)])

            try await store.migrate()
            #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
            let old = try #require(try await store.video(id: id, owner: nil))
            #expect(old.title == "old" && old.status == .queued && old.messageID == nil)
            #expect(try await store.claim(id: id, messageID: "m-1")?.messageID == "m-1")
        }
    }

    @Test func migrationVersionsAreUniqueAndAscending() {
        let versions = Migrations.all.map(\.version)
        #expect(versions == versions.sorted() && Set(versions).count == versions.count && versions.first == 1)
    }
}
