import Logging
import PostgresNIO
import Synchronization

/// PostgreSQL under ``SQLStore``: `PostgresClient` pools whose `run()` are child tasks of this backend's ``run()``
/// (a ``VideoStoreService`` of the process's service group runs it) until ``close()``; a query waits for them.
///
/// With a password source (RDS IAM authentication: a token is good for new connections for 15 minutes), the pool
/// is replaced every ``Timing/rotationInterval`` by one whose configuration has a fresh password; the old pool finishes
/// its queries for ``Timing/retirementGrace`` and is shut down. Until the first password is had, queries wait for the
/// attempt under way; once an attempt has failed they fail at once with ``VideoStoreError/Code/unavailable``
/// ("waiting for the RDS IAM token: …") while the attempts go on with a capped backoff, so a service started before
/// its instance credentials keeps answering (not ready) instead of hanging.
///
/// A query that gets no connection within ``Timing/leaseTimeout`` (the database unreachable) fails with
/// ``VideoStoreError/Code/unavailable`` too, instead of waiting for the pool's circuit breaker (a minute).
final class PostgresBackend: SQLBackend {
    /// The limits and intervals of a backend (tests shorten them).
    struct Timing: Sendable {
        /// How often a pool with a fresh password replaces the current one (well inside a token's 15 minutes).
        var rotationInterval: Duration = .seconds(600)
        /// How long a replaced pool may finish its queries and transactions before it is shut down.
        var retirementGrace: Duration = .seconds(60)
        /// The longest a query waits for a connection of the pool (connecting included).
        var leaseTimeout: Duration = .seconds(10)
        /// The longest one password (RDS IAM token) may take to make; the credential chain may wait on an
        /// instance metadata service that does not answer.
        var passwordTimeout: Duration = .seconds(10)
        /// The first wait after a failed password attempt; the waits double up to ``passwordRetryCap`` (with jitter).
        var passwordRetryBase: Duration = .milliseconds(500)
        /// The longest wait between password attempts.
        var passwordRetryCap: Duration = .seconds(10)
    }

    let logger: Logger
    private let pools = Pools()
    /// Makes each pool's password (an RDS IAM token); `nil`: the configuration's password, one pool for good.
    private let password: (@Sendable () async throws -> String)?
    private let configuration: PostgresClient.Configuration
    private let timing: Timing
    /// `host:port`, for messages.
    private let address: String

    /// The advisory lock that serializes migrations across processes ("VQmigr" in ASCII).
    static let migrationLockKey: Int64 = 0x5651_6D69_6772

    /// A pool for ``run()`` to run, and what tells it to retire (finished when a newer pool replaced it).
    struct Launch: Sendable {
        let client: PostgresClient
        let retirement: AsyncStream<Void>
    }

    /// The pools: the current one, the launches ``run()`` runs, and the queries waiting for the first.
    private final class Pools: Sendable {
        private struct State {
            var current: PostgresClient?
            var retirements: [ObjectIdentifier: AsyncStream<Void>.Continuation] = [:]
            var launchesTaken = false
            var waiters: [Int: CheckedContinuation<PostgresClient, any Error>] = [:]
            var nextWaiter = 0
            /// Why the last attempt at the first password failed; `nil` before it ends, and once a pool exists.
            var passwordFailure: String?
            var closed = false
        }

        private let state = Mutex(State())
        private let launches: AsyncStream<Launch>
        private let launchContinuation: AsyncStream<Launch>.Continuation

        init() {
            (launches, launchContinuation) = AsyncStream.makeStream(of: Launch.self)
        }

        /// Makes `client` the current pool, hands it to ``run()`` to run and to the waiting queries; `false` (not
        /// started) once the backend is closed.
        func start(_ client: PostgresClient) -> Bool {
            let (retirement, retire) = AsyncStream.makeStream(of: Void.self)
            let waiters = state.withLock { state -> [CheckedContinuation<PostgresClient, any Error>]? in
                guard !state.closed else { return nil }
                state.current = client
                state.passwordFailure = nil
                state.retirements[ObjectIdentifier(client)] = retire
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            guard let waiters else { return false }
            launchContinuation.yield(Launch(client: client, retirement: retirement))
            for waiter in waiters { waiter.resume(returning: client) }
            return true
        }

        /// The pools to run, for the one ``PostgresBackend/run()`` (`nil` for any later call); the sequence ends
        /// at ``close()``.
        func takeLaunches() -> AsyncStream<Launch>? {
            state.withLock { state in
                defer { state.launchesTaken = true }
                return state.launchesTaken ? nil : launches
            }
        }

        /// Records that the first password could not be made: the waiting queries, and those that come until a
        /// password is made, fail with `reason`. Once a pool exists it goes on (its password is good for its
        /// connections) and this changes nothing.
        func passwordFailed(_ reason: String) {
            let waiters = state.withLock { state -> [CheckedContinuation<PostgresClient, any Error>] in
                guard state.current == nil, !state.closed else { return [] }
                state.passwordFailure = reason
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            for waiter in waiters { waiter.resume(throwing: PostgresBackend.waitingForToken(reason)) }
        }

        func currentIfAny() -> PostgresClient? {
            state.withLock { $0.current }
        }

        /// The current pool; before the first, waits for the password attempt under way (ended by cancellation
        /// and by ``close()``), and throws the last attempt's failure once one has failed.
        func current() async throws -> PostgresClient {
            enum Immediate {
                case client(PostgresClient)
                case failure(any Error)
                case wait(Int)
            }
            let immediate = state.withLock { state -> Immediate in
                if state.closed { return .failure(PostgresBackend.closedError) }
                if let current = state.current { return .client(current) }
                if let reason = state.passwordFailure { return .failure(PostgresBackend.waitingForToken(reason)) }
                defer { state.nextWaiter += 1 }
                return .wait(state.nextWaiter)
            }
            let id: Int
            switch immediate {
            case .client(let client): return client
            case .failure(let error): throw error
            case .wait(let waiter): id = waiter
            }
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let outcome = state.withLock { state -> Result<PostgresClient, any Error>? in
                        if state.closed { return .failure(PostgresBackend.closedError) }
                        if let current = state.current { return .success(current) }
                        if let reason = state.passwordFailure { return .failure(PostgresBackend.waitingForToken(reason)) }
                        // The cancellation handler may have run already (before this waiter was there to resume).
                        if Task.isCancelled { return .failure(CancellationError()) }
                        state.waiters[id] = continuation
                        return nil
                    }
                    if let outcome { continuation.resume(with: outcome) }
                }
            } onCancel: {
                state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
            }
        }

        /// Tells `client`'s run to end (after its grace: ``run()`` lets it finish its queries first).
        func retire(_ client: PostgresClient) {
            state.withLock { $0.retirements.removeValue(forKey: ObjectIdentifier(client)) }?.finish()
        }

        /// Refuses new queries and pools from now on, failing the waiting queries with ``PostgresBackend/closedError``,
        /// and ends the launches: ``run()`` shuts every pool down and returns.
        func close() {
            let waiters = state.withLock { state in
                state.closed = true
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            launchContinuation.finish()
            for waiter in waiters { waiter.resume(throwing: PostgresBackend.closedError) }
        }
    }

    static let closedError = VideoStoreError(code: .closed, message: "the PostgreSQL store is closed")

    /// What queries fail with until the first RDS IAM token is made.
    static func waitingForToken(_ reason: String) -> VideoStoreError {
        VideoStoreError(code: .unavailable, message: "waiting for the RDS IAM token: \(reason)")
    }

    /// - Parameter password: makes the password of each new pool (an RDS IAM token); `nil`: the configuration's.
    init(
        configuration: PostgresClient.Configuration, logger: Logger, password: (@Sendable () async throws -> String)? = nil,
        timing: Timing = Timing()
    ) {
        self.logger = logger
        self.timing = timing
        self.password = password
        self.configuration = configuration
        address = "\(configuration.host ?? configuration.unixSocketPath ?? "?"):\(configuration.port ?? 5432)"
        // Without a password source the one pool exists at once (it runs, and connects, once ``run()`` runs).
        if password == nil { _ = pools.start(PostgresClient(configuration: configuration, backgroundLogger: logger)) }
    }

    /// Runs the pools, and with a password source the rotation that makes them, as child tasks until ``close()``
    /// or cancellation; then every pool is shut down (its connections closed) before it returns. A replaced pool
    /// finishes its queries for ``Timing/retirementGrace`` first. Only the first call runs anything.
    func run() async {
        guard let launches = pools.takeLaunches() else { return }
        let grace = timing.retirementGrace
        await withDiscardingTaskGroup { group in
            if let password { group.addTask { await self.rotate(password) } }
            for await launch in launches {
                group.addTask { await Self.run(launch, grace: grace) }
            }
            // Closed (or cancelled): the rotation and every pool stop.
            group.cancelAll()
        }
    }

    /// Runs one pool until it is retired (and its grace has passed) or cancelled.
    private static func run(_ launch: Launch, grace: Duration) async {
        await withTaskGroup(of: Void.self) { pool in
            pool.addTask { await launch.client.run() }
            pool.addTask {
                for await _ in launch.retirement {}
                guard !Task.isCancelled else { return }
                try? await Task.sleep(for: grace)
            }
            _ = await pool.next()
            pool.cancelAll()
        }
    }

    /// Makes a password and starts a pool with it every ``Timing/rotationInterval``, retiring the previous pool;
    /// after a failure, retries with a capped backoff (the queries fail at once meanwhile, until a first pool exists).
    private func rotate(_ password: @escaping @Sendable () async throws -> String) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                var fresh = configuration
                fresh.password = try await Self.abandoning(after: timing.passwordTimeout) { try await password() }
                let previous = pools.currentIfAny()
                guard pools.start(PostgresClient(configuration: fresh, backgroundLogger: logger)) else { return }
                if let previous { pools.retire(previous) }
                if failures > 0 { logger.notice("database password made (RDS IAM token)", metadata: ["failed_attempts": "\(failures)"]) }
                failures = 0
                try? await Task.sleep(for: timing.rotationInterval)
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let reason = Self.oneLine(error)
                pools.passwordFailed(reason)
                let delay = Self.retryDelay(afterFailure: failures, base: timing.passwordRetryBase, cap: timing.passwordRetryCap)
                let metadata: Logger.Metadata = ["error": "\(reason)", "attempt": "\(failures)", "retry_in": "\(delay)"]
                if failures == 1 {
                    logger.error("cannot make the database password (RDS IAM token): retrying", metadata: metadata)
                } else {
                    logger.debug("cannot make the database password (RDS IAM token): retrying", metadata: metadata)
                }
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// The wait after the `failure`th failed password attempt: `base` doubled per failure up to `cap`, the upper
    /// half of it at random (jitter, never near zero).
    static func retryDelay(afterFailure failure: Int, base: Duration, cap: Duration) -> Duration {
        let ceiling = min(cap, base * (1 << min(max(failure - 1, 0), 20)))
        return ceiling / 2 + (ceiling / 2) * Double.random(in: 0...1)
    }

    /// The error on one line of at most 300 characters.
    static func oneLine(_ error: any Error) -> String {
        String("\(error)".prefix(300)).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// A call that ``abandoning(after:_:)`` stopped waiting for.
    struct AbandonedCall: Error, CustomStringConvertible {
        var limit: Duration
        var description: String { "none made within \(limit) (the AWS credentials do not answer)" }
    }

    /// Runs `body` in a task of its own and returns what it returns, or throws ``AbandonedCall`` when `limit`
    /// passes and `CancellationError` when the caller is cancelled, without waiting for `body` (which is cancelled,
    /// and whose late result is dropped). Only for calls that are harmless to abandon, such as making a token,
    /// whose layers below may not heed cancellation (a credential provider waiting on the instance metadata service).
    static func abandoning<T: Sendable>(after limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        let work = Task {
            do {
                outcome.finish(.success(try await body()))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        let timer = Task {
            do {
                try await Task.sleep(for: limit)
                outcome.finish(.failure(AbandonedCall(limit: limit)))
            } catch {}  // cancelled: the call ended first
        }
        defer {
            work.cancel()
            timer.cancel()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { outcome.await($0) }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
    }

    /// The first of the results ``abandoning(after:_:)`` races, handed to its one waiter.
    private final class Outcome<T: Sendable>: Sendable {
        private let state = Mutex<(result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)>((nil, nil))

        func finish(_ result: Result<T, any Error>) {
            let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
                guard state.result == nil else { return nil }
                state.result = result
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(with: result)
        }

        func await(_ waiter: CheckedContinuation<T, any Error>) {
            let result = state.withLock { state -> Result<T, any Error>? in
                if state.result == nil { state.waiter = waiter }
                return state.result
            }
            if let result { waiter.resume(with: result) }
        }
    }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await withConnection { [logger] connection in
            try await Self.mapErrors {
                try await Self.rows(try await connection.query(Self.query(sql, binds), logger: logger))
            }
        }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await withConnection { [logger] connection in
            do {
                return try await connection.withTransaction(logger: logger) { connection in
                    try await body(Connection(connection: connection, logger: logger))
                }
            } catch let error as PostgresTransactionError {
                if let closureError = error.closureError { throw closureError }
                let underlying = error.beginError ?? error.commitError ?? error.rollbackError
                if let underlying { try await Self.mapErrors { throw underlying } }
                throw VideoStoreError(code: .database, message: "PostgreSQL transaction failed")
            }
        }
    }

    func migrationTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T)
        async throws -> T
    {
        try await transaction { db in
            try await db.execute("SELECT pg_advisory_xact_lock($1)", [.int(Self.migrationLockKey)])
            return try await body(db)
        }
    }

    /// Fails the queries waiting for a first password and refuses new ones; ``run()`` then stops making passwords
    /// (without waiting for an attempt under way), shuts the pools down and returns.
    func close() async throws {
        pools.close()
    }

    /// Whether a query got its connection, or the lease's time ran out first.
    private final class Lease: Sendable {
        enum State { case waiting, leased, timedOut }
        private let state = Mutex(State.waiting)

        /// Moves from waiting to `next`; `false` when the other happened first.
        func settle(_ next: State) -> Bool {
            state.withLock { state in
                guard state == .waiting else { return false }
                state = next
                return true
            }
        }

        var isWaiting: Bool { state.withLock { $0 == .waiting } }
    }

    /// Runs `body` with a connection of the current pool; throws ``VideoStoreError/Code/unavailable`` when there is
    /// none within ``Timing/leaseTimeout`` (PostgreSQL unreachable: the pool would keep the query waiting until its
    /// circuit breaker trips, a minute later) or the pool cannot make one.
    private func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let lease = Lease()
        let (limit, address, pools) = (timing.leaseTimeout, address, pools)
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    // The first pool too is awaited within the limit (the password attempt under way, ``run()``).
                    let client = try await pools.current()
                    return try await client.withConnection { connection in
                        guard lease.settle(.leased) else { throw CancellationError() }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    guard lease.settle(.timedOut) else { return nil }
                    throw VideoStoreError(code: .unavailable, message: "PostgreSQL at \(address): no connection within \(limit)")
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let value = result { return value }
                }
                throw CancellationError()
            }
        } catch let error as VideoStoreError {
            throw error
        } catch {
            // Thrown by the pool before a connection was had: it cannot make one (or it was shut down).
            guard lease.isWaiting, !Task.isCancelled else { throw error }
            throw VideoStoreError(code: .unavailable, message: "PostgreSQL at \(address): no connection: \(Self.describe(error))")
        }
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

    /// The connection-level errors: the database is unreachable or went away (``VideoStoreError/Code/unavailable``).
    static let connectionErrorCodes: Set<PSQLError.Code> = [
        .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed,
    ]

    /// Server errors that say the server cannot take queries now: connection exceptions (class 08), shutting down
    /// or starting up (57P01…57P03), too many connections (53300).
    static func isUnavailable(sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(sqlState)
    }

    /// What a PostgresNIO error says (its description hides the server's message and the underlying error).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))" }
        return String(reflecting: error.code) + (error.underlying.map { ": \($0)" } ?? "")
    }

    /// Turns PostgresNIO's errors (whose descriptions hide the server's message) into ``VideoStoreError``s:
    /// ``VideoStoreError/Code/conflict`` for a unique violation, ``VideoStoreError/Code/unavailable`` for a lost
    /// or refused connection, else ``VideoStoreError/Code/database``.
    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError {
            let code: VideoStoreError.Code
            if let state = error.serverInfo?[.sqlState] {
                code = state == "23505" ? .conflict : isUnavailable(sqlState: state) ? .unavailable : .database
            } else {
                code = connectionErrorCodes.contains(error.code) ? .unavailable : .database
            }
            throw VideoStoreError(code: code, message: "PostgreSQL: \(describe(error))")
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
