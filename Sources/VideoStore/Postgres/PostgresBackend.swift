import Logging
import PostgresNIO
import Synchronization

/// PostgreSQL under ``SQLStore``: a `PostgresClient` pool whose `run()` this backend runs in a task of its own
/// from creation until ``close()``.
///
/// With a password source (RDS IAM authentication: a token is good for new connections for 15 minutes), the pool
/// is replaced every ``rotationInterval`` by one whose configuration has a fresh password; the old pool finishes its
/// queries for ``retirementGrace`` and is shut down. Until the first password is had, queries wait for it.
final class PostgresBackend: SQLBackend {
    let logger: Logger
    private let pools = Pools()
    private let rotation: Task<Void, Never>?

    /// How often a pool with a fresh password replaces the current one (well inside a token's 15 minutes).
    static let rotationInterval: Duration = .seconds(600)
    /// How long a replaced pool may finish its queries and transactions before it is shut down.
    static let retirementGrace: Duration = .seconds(60)

    /// The advisory lock that serializes migrations across processes ("VQmigr" in ASCII).
    static let migrationLockKey: Int64 = 0x5651_6D69_6772

    /// The pools: the current one and those retiring, with their `run()` tasks.
    private final class Pools: Sendable {
        private let state = Mutex<(current: PostgresClient?, tasks: [ObjectIdentifier: Task<Void, Never>], waiters: [CheckedContinuation<PostgresClient, Never>])>(
            (nil, [:], []))

        func start(_ client: PostgresClient) {
            let task = Task { await client.run() }
            let waiters = state.withLock { state in
                state.current = client
                state.tasks[ObjectIdentifier(client)] = task
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: client) }
        }

        func currentIfAny() -> PostgresClient? {
            state.withLock { $0.current }
        }

        func current() async -> PostgresClient {
            if let client = state.withLock({ $0.current }) { return client }
            return await withCheckedContinuation { continuation in
                let client = state.withLock { state -> PostgresClient? in
                    if let current = state.current { return current }
                    state.waiters.append(continuation)
                    return nil
                }
                if let client { continuation.resume(returning: client) }
            }
        }

        func retire(_ client: PostgresClient, after grace: Duration) {
            let task = state.withLock { $0.tasks[ObjectIdentifier(client)] }
            Task {
                try? await Task.sleep(for: grace)
                task?.cancel()
                await task?.value
                self.state.withLock { _ = $0.tasks.removeValue(forKey: ObjectIdentifier(client)) }
            }
        }

        func shutdown() async {
            let tasks = state.withLock { Array($0.tasks.values) }
            for task in tasks { task.cancel() }
            for task in tasks { await task.value }
        }
    }

    /// - Parameter password: makes the password of each new pool (an RDS IAM token); `nil`: the configuration's.
    init(configuration: PostgresClient.Configuration, logger: Logger, password: (@Sendable () async throws -> String)? = nil,
         rotationInterval: Duration = PostgresBackend.rotationInterval) {
        self.logger = logger
        guard let password else {
            pools.start(PostgresClient(configuration: configuration, backgroundLogger: logger))
            rotation = nil
            return
        }
        let pools = self.pools
        rotation = Task {
            var retrying = false
            while !Task.isCancelled {
                do {
                    var fresh = configuration
                    fresh.password = try await password()
                    let previous = pools.currentIfAny()
                    pools.start(PostgresClient(configuration: fresh, backgroundLogger: logger))
                    if let previous { pools.retire(previous, after: PostgresBackend.retirementGrace) }
                    retrying = false
                    try? await Task.sleep(for: rotationInterval)
                } catch {
                    if !retrying { logger.error("cannot make the database password (RDS IAM token)", metadata: ["error": "\(error)"]) }
                    retrying = true
                    try? await Task.sleep(for: .seconds(5))
                }
            }
        }
    }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let client = await pools.current()
        return try await Self.mapErrors {
            try await Self.rows(try await client.query(Self.query(sql, binds), logger: logger))
        }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        do {
            return try await pools.current().withTransaction(logger: logger) { connection in
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
        rotation?.cancel()
        await rotation?.value
        await pools.shutdown()
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
