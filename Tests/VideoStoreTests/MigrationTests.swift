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

    @Test func migrationVersionsAreUniqueAndAscending() {
        let versions = Migrations.all.map(\.version)
        #expect(versions == versions.sorted() && Set(versions).count == versions.count && versions.first == 1)
    }
}
