import Foundation
import Logging
import ServiceLifecycle
import ServiceSupport
import VideoStore

/// The producer's wait for its database at start-up, as a service beside the HTTP server: it applies the
/// migrations, retrying with exponential backoff and full jitter until the database answers, while the server
/// already answers (`/readyz` 503 with the database's error) and systemd hears `STATUS=waiting for the database: …`.
/// A bad setting (an invalid `DATABASE_URL`) ends it with the error; otherwise it stays until shutdown.
struct DatabaseStartup: Service {
    let store: any VideoStore
    let notifier: SystemdNotifier
    let waiter: DependencyWaiter
    let logger: Logger

    init(store: any VideoStore, notifier: SystemdNotifier, logger: Logger,
         waiter: DependencyWaiter = DependencyWaiter(backoff: Backoff(base: .milliseconds(500), cap: .seconds(30)))) {
        self.store = store
        self.notifier = notifier
        self.waiter = waiter
        self.logger = logger
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [store, notifier, waiter, logger] in
                try await waiter.wait(for: "the database", isPermanent: ProducerExitCode.isConfigurationError, onFailure: { failure in
                    notifier.status(failure.status)
                    logger.warning("database not available: retrying", metadata: [
                        "attempt": "\(failure.attempt)", "retry_in": "\(failure.retryIn)", "error": "\(failure.error)",
                    ])
                }) {
                    try await store.migrate()
                }
            }
        } catch is CancellationError {
            return
        }
        notifier.status("serving")
        logger.info("database migrated")
        // Stay until shutdown: a service that returns would end the group.
        try? await gracefulShutdown()
    }

    /// Refuses an SQLite database that can never be opened, before the store tries: its directory missing, or the file
    /// (or the directory, to create it in) not writable by this user. A local path is no dependency that comes up
    /// later: it is a setting to fix (exit 78), not a reason to wait.
    /// - Throws: ``ConfigurationError`` naming `DATABASE_URL` and the path.
    static func checkSQLiteLocation(of configuration: DatabaseConfiguration,
                                    fileManager: FileManager = .default) throws(ConfigurationError) {
        guard case .sqlite(let path) = configuration.backend, path != ":memory:" else { return }
        let file = URL(fileURLWithPath: path)
        let directory = file.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigurationError(setting: "DATABASE_URL", message: "the directory of the SQLite database \(file.path) does not exist: create it or name another path")
        }
        // SQLite creates the file there, and keeps its journal (-wal, -shm) beside it.
        guard fileManager.isWritableFile(atPath: directory) else {
            throw ConfigurationError(setting: "DATABASE_URL", message: "the directory of the SQLite database \(file.path) is not writable by this user")
        }
        if fileManager.fileExists(atPath: file.path), !fileManager.isWritableFile(atPath: file.path) {
            throw ConfigurationError(setting: "DATABASE_URL", message: "the SQLite database \(file.path) is not writable by this user")
        }
    }
}
