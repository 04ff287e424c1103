import Foundation
import Logging
import Synchronization
import Testing
import VideoCore

@testable import VideoStore

/// The databases every store test runs against.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

struct MissingPostgres: Error, CustomStringConvertible {
    var description: String {
        "VIDEOQUEUE_TEST_DATABASE_URL is not set: the PostgreSQL store tests need a server. Start the throwaway "
            + "cluster with `eval \"$(scripts/postgres start >/dev/null && scripts/postgres env)\"` "
            + "(or run scripts/test), then run the tests again."
    }
}

/// A fresh database of its own for one test: a temporary SQLite file, or a new PostgreSQL database on the
/// server of `VIDEOQUEUE_TEST_DATABASE_URL`, dropped afterwards. ``open()`` opens another store on it
/// (a second process, as far as the database can tell).
struct TestDatabase: Sendable {
    let backend: StoreBackend
    let sqlitePath: String?
    let postgres: DatabaseConfiguration.Postgres?
    /// Every store opened on the database; ``with(_:migrate:_:)`` closes them all, whatever the test threw
    /// (SQLiteNIO asserts that connections are closed).
    let opened = OpenedStores()

    static let logger: Logger = {
        var logger = Logger(label: "videoqueue.tests")
        logger.logLevel = .error
        return logger
    }()

    func open() async throws -> any VideoStore {
        let store: any VideoStore
        if let sqlitePath {
            store = try await SQLiteVideoStore(path: sqlitePath, busyTimeoutMilliseconds: 30_000, logger: Self.logger)  // a loaded CI machine
        } else {
            store = PostgresVideoStore(configuration: try #require(postgres), maximumConnections: 8, logger: Self.logger)
        }
        opened.add(store, running: Task { await store.run() })
        return store
    }

    static func serverConfiguration() throws -> DatabaseConfiguration.Postgres {
        guard let url = ProcessInfo.processInfo.environment["VIDEOQUEUE_TEST_DATABASE_URL"], !url.isEmpty else {
            Issue.record(Comment(rawValue: MissingPostgres().description))
            throw MissingPostgres()
        }
        guard case .postgres(let configuration) = try DatabaseConfiguration(url: url).backend else {
            throw VideoStoreError(code: .invalidConfiguration, message: "VIDEOQUEUE_TEST_DATABASE_URL is not a postgres:// URL")
        }
        return configuration
    }

    /// Runs `body` with a migrated store on a new database, then closes it and removes the database.
    static func with<T>(
        _ backend: StoreBackend, migrate: Bool = true,
        _ body: (TestDatabase, any VideoStore) async throws -> T
    ) async throws -> T {
        let database: TestDatabase
        var admin: PostgresVideoStore?
        var adminRun: Task<Void, Never>?
        let name = "vq_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).sqlite").path
            database = TestDatabase(backend: backend, sqlitePath: path, postgres: nil)
        case .postgres:
            let server = try serverConfiguration()
            let adminStore = PostgresVideoStore(configuration: server, maximumConnections: 1, logger: logger)
            admin = adminStore
            adminRun = Task { await adminStore.run() }
            do {
                // `name` is ours (letters, digits, underscores): identifiers cannot be bound.
                try await adminStore.store.backend.execute("CREATE DATABASE \(name)")
            } catch {
                try? await adminStore.close()
                await adminRun?.value
                throw error
            }
            var configuration = server
            configuration.database = name
            database = TestDatabase(backend: backend, sqlitePath: nil, postgres: configuration)
        }
        defer {
            if let path = database.sqlitePath {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        let result: Result<T, any Error>
        do {
            let store = try await database.open()
            do {
                if migrate { try await store.migrate() }
                result = .success(try await body(database, store))
            } catch {
                result = .failure(error)
            }
        } catch {
            result = .failure(error)
        }
        for (store, running) in database.opened.takeAll() {
            try? await store.close()
            await running.value
        }
        if let admin {
            _ = try? await admin.store.backend.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            try? await admin.close()
            await adminRun?.value
        }
        return try result.get()
    }
}

enum Sample {
    static func record(
        owner: String = "alice", title: String = "Holiday", createdAt: Date = Date(),
        jobs: [JobType] = [.transcode, .hls]
    ) -> VideoRecord {
        VideoRecord(
            owner: owner, title: title, originalFilename: "holiday.mov", sourceBucket: "videoqueue",
            sourceKey: "uploads/\(UUID().uuidString).mov", size: 1_234_567, sha256: nil,
            contentType: "video/quicktime", jobs: jobs, createdAt: createdAt)
    }

    static func payload(_ record: VideoRecord) throws -> String {
        try QueueMessage(video: record).encodedString()
    }

    /// Creates a record and moves it to `status` through the store's own transitions.
    static func stored(in store: any VideoStore, status: VideoStatus, owner: String = "alice") async throws -> VideoRecord {
        let record = try await store.create(Sample.record(owner: owner), outboxPayload: "{}")
        switch status {
        case .pending: return record
        case .queued: return try #require(try await store.markQueued(id: record.id))
        case .processing:
            _ = try await store.markQueued(id: record.id)
            return try #require(try await store.claim(id: record.id))
        case .completed:
            _ = try await store.markQueued(id: record.id)
            let claimed = try #require(try await store.claim(id: record.id))
            return try #require(try await store.complete(id: claimed.id, attempt: claimed.attempts, outputs: []))
        case .failed:
            return try #require(
                try await store.fail(
                    id: record.id, attempt: nil,
                    error: VideoFailure(code: "test", message: "failed on purpose")))
        case .cancelled: return try #require(try await store.cancel(id: record.id, owner: nil))
        }
    }
}

/// The stores opened on a test's database, each with the task that runs it (``VideoStore/run()``), awaited after
/// the store is closed.
final class OpenedStores: Sendable {
    private let stores = Mutex<[(store: any VideoStore, running: Task<Void, Never>)]>([])
    func add(_ store: any VideoStore, running: Task<Void, Never>) { stores.withLock { $0.append((store, running)) } }
    func takeAll() -> [(store: any VideoStore, running: Task<Void, Never>)] {
        stores.withLock { stores in
            defer { stores = [] }
            return stores
        }
    }
}
