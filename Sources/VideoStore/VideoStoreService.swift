import ServiceLifecycle

/// A ``VideoStore`` as a `Service` of a `ServiceGroup`: it runs the store (``VideoStore/run()``: PostgreSQL's pools
/// are its child tasks) until the group shuts down (or is cancelled), then closes it and waits for the store's run to
/// end — the one place a long-running process closes it.
///
/// List it FIRST in the group's services: a `ServiceGroup` stops its services in reverse order, so the store closes
/// after every service that uses it (the HTTP server, the consumer's drain) has stopped.
public struct VideoStoreService: Service {
    /// The store this service runs and closes.
    public let store: any VideoStore

    public init(store: any VideoStore) {
        self.store = store
    }

    public func run() async throws {
        try await store.running {
            // Returns on a graceful shutdown; throws CancellationError when the group is cancelled: closed either way.
            try? await gracefulShutdown()
        }
    }
}
