import Foundation
import TestSupport
import Testing

@testable import VideoStore

/// A PostgreSQL store's pools live inside its `run()`: a query waits for it, `close()` ends it, and when it returns
/// the store's connections are gone from the server.
@Suite("PostgreSQL: the store's run")
struct PostgresStoreRunTests {
    /// The connections open on `database`, as the server sees them.
    static func connections(to database: String, asking observer: PostgresVideoStore) async throws -> Int {
        let rows = try await observer.store.backend.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1", [.text(database)])
        guard case .int(let count)? = rows.first?.values["n"] else { return -1 }
        return Int(count)
    }

    @Test("a query made before the store runs waits for its run; close() ends the run, which returns with every connection closed")
    func poolsLiveInsideTheRun() async throws {
        try await TestDatabase.with(.postgres) { database, opened in
            let configuration = try #require(database.postgres)
            // The test's own store watches the server (its pool's connections are the baseline).
            let observer = try #require(opened as? PostgresVideoStore)
            let baseline = try await Self.connections(to: configuration.database, asking: observer)
            let store = PostgresVideoStore(configuration: configuration, maximumConnections: 4, logger: TestDatabase.logger)

            // Asked before anything runs the pool: answered once the run starts (well within the 10 s lease limit).
            async let early = store.appliedMigrations()
            async let running: Void = store.run()
            #expect(try await early == Migrations.all.map(\.version))
            #expect(try await Self.connections(to: configuration.database, asking: observer) > baseline, "the store's connection is open")

            try await store.close()
            await running
            let gone = try await eventually(timeout: .seconds(10), every: .milliseconds(50)) {
                try await Self.connections(to: configuration.database, asking: observer) <= baseline
            }
            #expect(gone, "the run returned with its connections closed")
            await #expect { try await store.appliedMigrations() } throws: { ($0 as? VideoStoreError)?.code == .closed }
            await store.run()  // a second run (or one after close) returns at once
        }
    }
}
