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

    init(
        store: any VideoStore, notifier: SystemdNotifier, logger: Logger,
        waiter: DependencyWaiter = DependencyWaiter(backoff: Backoff(base: .milliseconds(500), cap: .seconds(30)))
    ) {
        self.store = store
        self.notifier = notifier
        self.waiter = waiter
        self.logger = logger
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [store, notifier, waiter, logger] in
                try await waiter.wait(
                    for: "the database", isPermanent: ProducerExitCode.isConfigurationError,
                    onFailure: { failure in
                        notifier.status(failure.status)
                        logger.warning(
                            "database not available: retrying",
                            metadata: [
                                "attempt": "\(failure.attempt)", "retry_in": "\(failure.retryIn)", "error": "\(failure.error)",
                            ])
                    }
                ) {
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
}
