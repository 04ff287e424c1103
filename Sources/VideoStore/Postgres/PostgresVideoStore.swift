import Foundation
import Logging
import PostgresNIO
import VideoCore

/// The shared ``VideoStore``: PostgreSQL through a PostgresNIO `PostgresClient` connection pool.
///
/// The pools' `run()` are child tasks of the store's ``run()`` (a ``VideoStoreService`` runs it in a process's service
/// group; ``VideoStore/running(_:)`` around a one-shot use), which returns once ``close()`` stopped them; queries wait
/// for it. Create one store per process and share it (it is `Sendable`). Migrations are serialized across processes
/// with an advisory lock.
public struct PostgresVideoStore: VideoStore, SQLStoreForwarding {
    let store: SQLStore

    /// Connects to PostgreSQL with a pool of at most `maximumConnections` connections (opened on demand).
    /// - Parameter password: makes the password of new connections (an RDS IAM token, renewed every 10 minutes);
    ///   `nil`: the configuration's password. Until it has made one, queries fail at once with
    ///   ``VideoStoreError/Code/unavailable`` ("waiting for the RDS IAM token: …") while it is retried.
    public init(
        configuration: DatabaseConfiguration.Postgres, maximumConnections: Int = 20,
        logger: Logger = Logger(label: "videoqueue.store.postgres"), password: (@Sendable () async throws -> String)? = nil
    ) {
        self.init(
            configuration: configuration, maximumConnections: maximumConnections, logger: logger, password: password,
            timing: PostgresBackend.Timing())
    }

    init(
        configuration: DatabaseConfiguration.Postgres, maximumConnections: Int, logger: Logger,
        password: (@Sendable () async throws -> String)?, timing: PostgresBackend.Timing
    ) {
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: configuration.postgresTLS)
        client.options.maximumConnections = max(1, maximumConnections)
        client.options.connectTimeout = .seconds(10)
        store = SQLStore(backend: PostgresBackend(configuration: client, logger: logger, password: password, timing: timing))
    }
}
