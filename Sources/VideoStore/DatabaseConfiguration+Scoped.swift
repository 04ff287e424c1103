import Foundation
import Logging

extension DatabaseConfiguration {
    /// Opens the store, migrates it, runs `body` with it and closes it however `body` ends — for a command that uses
    /// the store once (`producer keys`, `producer migrate`); a long-running process runs a ``VideoStoreService`` instead.
    public func withStore<T: Sendable>(
        logger: Logger = Logger(label: "videoqueue.store"),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (any VideoStore) async throws -> T
    ) async throws -> T {
        let store = try await makeStore(logger: logger, environment: environment)
        return try await store.running {
            try await store.migrate()
            return try await body(store)
        }
    }
}
