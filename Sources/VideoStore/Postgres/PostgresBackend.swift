import Logging
import PostgresNIO

/// PostgreSQL under ``SQLStore``: a `PostgresClient` pool whose `run()` this backend runs in a task of its own
/// from creation until ``close()``.
final class PostgresBackend: SQLBackend {
    let client: PostgresClient
    let logger: Logger
    private let runTask: Task<Void, Never>

    /// The advisory lock that serializes migrations across processes ("VQmigr" in ASCII).
    static let migrationLockKey: Int64 = 0x5651_6D69_6772

    init(configuration: PostgresClient.Configuration, logger: Logger) {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.runTask = Task { await client.run() }
    }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await Self.mapErrors {
            try await Self.rows(try await client.query(Self.query(sql, binds), logger: logger))
        }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(Connection(connection: connection, logger: logger))
            }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            let underlying = error.beginError ?? error.commitError ?? error.rollbackError
            if let underlying { try await Self.mapErrors { throw underlying } }
            throw VideoStoreError(code: .database, message: "PostgreSQL transaction failed")
        }
    }

    func migrationTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T)
        async throws -> T {
        try await transaction { db in
            try await db.execute("SELECT pg_advisory_xact_lock($1)", [.int(Self.migrationLockKey)])
            return try await body(db)
        }
    }

    func close() async throws {
        runTask.cancel()
        await runTask.value
    }

    static func query(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .int(let value): bindings.append(value)
            case .double(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static func rows(_ sequence: PostgresRowSequence) async throws -> [SQLRow] {
        var rows: [SQLRow] = []
        for try await row in sequence {
            var values: [String: SQLValue] = [:]
            for cell in row {
                values[cell.columnName.lowercased()] = try value(of: cell)
            }
            rows.append(SQLRow(values))
        }
        return rows
    }

    static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .int(try cell.decode(Int64.self))
        case .float8, .float4: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .text, .varchar, .name, .bpchar: return .text(try cell.decode(String.self))
        default: return .null
        }
    }

    /// Turns PostgresNIO's errors (whose descriptions hide the server's message) into ``VideoStoreError``s.
    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState]
            let message = error.serverInfo?[.message].map { "\($0) (SQLSTATE \(state ?? "?"))" }
                ?? String(reflecting: error.code)
            throw VideoStoreError(code: state == "23505" ? .conflict : .database, message: "PostgreSQL: \(message)")
        }
    }

    /// Runs statements on the connection of a transaction.
    private struct Connection: SQLExecutor {
        let connection: PostgresConnection
        let logger: Logger
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await PostgresBackend.mapErrors {
                try await PostgresBackend.rows(try await connection.query(PostgresBackend.query(sql, binds), logger: logger))
            }
        }
    }
}
