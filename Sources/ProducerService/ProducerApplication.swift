import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Logging
import S3Client
import ServiceLifecycle
import ServiceSupport
import SQSClient
import VideoStore

/// The producer: its router, the outbox dispatcher, and the Hummingbird application that runs them.
///
/// ```swift
/// let producer = ProducerApplication(configuration: configuration, store: store, s3: s3, sqs: sqs)
/// try await producer.application().runService()       // SIGTERM/SIGINT: graceful shutdown
/// ```
public struct ProducerApplication: Sendable {
    public let configuration: ProducerConfiguration
    public let store: any VideoStore
    public let s3: S3Client
    public let sqs: SQSClient
    public let dispatcher: OutboxDispatcher
    let logger: Logger

    public init(configuration: ProducerConfiguration, store: any VideoStore, s3: S3Client, sqs: SQSClient,
                logger: Logger = Logger(label: "videoqueue.producer")) {
        self.configuration = configuration
        self.store = store
        self.s3 = s3
        self.sqs = sqs
        self.logger = logger
        dispatcher = OutboxDispatcher(store: store, sqs: sqs, queueURL: configuration.queueURL,
                                      interval: configuration.dispatchInterval, logger: logger)
    }

    /// The routes.
    public func router() -> Router<ProducerRequestContext> {
        PrometheusMetrics.bootstrap()
        let router = Router(context: ProducerRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: MetricsMiddleware())
        let ingestor = VideoIngestor(configuration: configuration, store: store, s3: s3, dispatcher: dispatcher, logger: logger)
        let api = router.group("v1").add(middleware: APIKeyAuthenticator(store: store))
        VideoRoutes(configuration: configuration, store: store, s3: s3, ingestor: ingestor, dispatcher: dispatcher,
                    rateLimiter: RateLimiter(perMinute: configuration.uploadsPerMinute)).add(to: api)
        UploadRoutes(configuration: configuration, s3: s3, ingestor: ingestor,
                     rateLimiter: RateLimiter(perMinute: configuration.uploadsPerMinute)).add(to: api)
        EventRoutes(configuration: configuration, store: store).add(to: api)
        OperationsRoutes(configuration: configuration, store: store, s3: s3, sqs: sqs).add(public: router, api: api)
        return router
    }

    /// The HTTP server with the outbox dispatcher beside it, as one service group.
    public func application(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = router()
        var app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router), configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                                      serverName: "videoqueue-producer"),
                              onServerRunning: onServerRunning, logger: logger)
        app.addServices(dispatcher, OrphanSweeper(store: store, s3: s3, bucket: configuration.bucket, age: configuration.orphanAge,
                                                  interval: configuration.orphanSweepInterval, logger: logger))
        return app
    }
}
