/// Runs statements on one connection (inside a transaction, or on its own).
///
/// SQL is written once for both databases with `$1`, `$2`, … placeholders; every value is bound, never
/// interpolated.
protocol SQLExecutor: Sendable {
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

/// The database under ``SQLStore``: SQLite or PostgreSQL.
protocol SQLBackend: SQLExecutor {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    /// Runs `body` in a transaction that no other process's migration runs concurrently with.
    func migrationTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T)
        async throws -> T
    /// Runs the backend's background work until ``close()`` or cancellation (PostgreSQL: its pools; SQLite: none).
    func run() async
    /// Closes the connections.
    func close() async throws
}

extension SQLExecutor {
    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
        try await query(sql, binds)
    }
}
