import Logging
import SQLiteNIO
import VideoCore

/// SQLite under ``SQLStore``: one connection, in WAL mode, used by one task at a time (an ``AsyncLock`` spans
/// whole transactions). Write transactions are `BEGIN IMMEDIATE`, so two processes sharing the file queue up
/// instead of deadlocking; a statement or transaction that finds the database locked is retried
/// asynchronously until the busy timeout has passed.
final class SQLiteBackend: SQLBackend {
    let connection: SQLiteConnection
    private let lock = AsyncLock()
    private let busyTimeout: Duration

    private init(connection: SQLiteConnection, busyTimeout: Duration) {
        self.connection = connection
        self.busyTimeout = busyTimeout
    }

    /// Opens (creating) the database at `path` (`:memory:` for a private in-memory one).
    static func open(path: String, busyTimeoutMilliseconds: Int, logger: Logger) async throws -> SQLiteBackend {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: path == ":memory:" ? .memory : .file(path: path),
                logger: logger)
        } catch {
            throw VideoStoreError(code: .database, message: "cannot open the SQLite database at \(path): \(error)")
        }
        let backend = SQLiteBackend(connection: connection, busyTimeout: .milliseconds(max(0, busyTimeoutMilliseconds)))
        do {
            // SQLite's own busy wait sleeps on a thread of the shared NIO thread pool (as many threads as
            // cores): connections waiting for a lock could occupy them all while the holder needs one to
            // COMMIT. So SQLite waits 10 ms at most and the rest of the busy timeout is waited here, async.
            try await backend.run("PRAGMA busy_timeout = 10", [])
            if path != ":memory:" { try await backend.query("PRAGMA journal_mode = WAL", []) }
            try await backend.query("PRAGMA synchronous = NORMAL", [])
        } catch {
            try? await connection.close()
            throw error
        }
        return backend
    }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await retryingWhileBusy { try await lock.withLock { try await run(sql, binds) } }
    }

    /// A transaction that finds the database locked is tried again as a whole (see ``retryingWhileBusy(_:)``).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await retryingWhileBusy { try await lock.withLock { try await transactionOnce(body) } }
    }

    /// Runs `operation` again while SQLite reports the database busy, with a growing pause (2 … 50 ms),
    /// until the busy timeout has passed. A busy statement or transaction did not change anything.
    private func retryingWhileBusy<T>(_ operation: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + busyTimeout
        var pause = Duration.milliseconds(2)
        while true {
            do {
                return try await operation()
            } catch let error as VideoStoreError where error.isBusy && ContinuousClock.now < deadline {
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(50))
            }
        }
    }

    private func transactionOnce<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T)
        async throws -> T
    {
        try await run("BEGIN IMMEDIATE", [])
        do {
            let result = try await body(Locked(backend: self))
            try await run("COMMIT", [])
            return result
        } catch {
            _ = try? await run("ROLLBACK", [])
            throw error
        }
    }

    func migrationTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T)
        async throws -> T
    {
        try await transaction(body)  // BEGIN IMMEDIATE holds the database's write lock
    }

    /// SQLite has no background work: the connection is used by the callers' tasks.
    func run() async {}

    func close() async throws {
        try await lock.withLock { if !connection.isClosed { try await connection.close() } }
    }

    /// Runs one statement; the caller holds the lock.
    @discardableResult
    fileprivate func run(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let sqliteBinds: [SQLiteData] = binds.map {
            switch $0 {
            case .int(let value): .integer(SQLiteInt64(value))
            case .double(let value): .float(value)
            case .text(let value): .text(value)
            case .null: .null
            }
        }
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(Self.sqliteSQL(sql), sqliteBinds)
        } catch let error as SQLiteError {
            let reason = "\(error.reason)".lowercased()
            let code: VideoStoreError.Code = reason.hasPrefix("constraint") ? .conflict : .database
            throw VideoStoreError(code: code, message: "SQLite (\(reason)): \(error.message) [\(sql.prefix(60))]")
        }
        return rows.map { row in
            var values: [String: SQLValue] = [:]
            for column in row.columns {
                values[column.name.lowercased()] =
                    switch column.data {
                    case .integer(let value): .int(Int64(value))
                    case .float(let value): .double(value)
                    case .text(let value): .text(value)
                    case .blob(let buffer): .text(String(buffer: buffer))
                    case .null: .null
                    }
            }
            return SQLRow(values)
        }
    }

    /// `$1` → `?1` (SQLite's numbered parameters). The SQL is the store's constant text, never input.
    static func sqliteSQL(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count)
        var previous: Character?
        for character in sql {
            if previous == "$", character.isASCII, character.isNumber {
                result.removeLast()
                result.append("?")
            }
            result.append(character)
            previous = character
        }
        return result
    }

    /// Runs statements inside a transaction whose lock the enclosing call holds.
    private struct Locked: SQLExecutor {
        let backend: SQLiteBackend
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await backend.run(sql, binds)
        }
    }
}

extension VideoStoreError {
    /// An SQLite "database is busy / locked" error, worth trying again.
    var isBusy: Bool { code == .database && (message.hasPrefix("SQLite (busy") || message.hasPrefix("SQLite (locked")) }
}
