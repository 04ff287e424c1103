import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import S3Client
import SQSClient
import ServiceLifecycle
import ServiceSupport
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
    let limits: RequestLimits
    let hub: ProgressHub
    let logger: Logger

    public init(
        configuration: ProducerConfiguration, store: any VideoStore, s3: S3Client, sqs: SQSClient,
        logger: Logger = Logger(label: "videoqueue.producer")
    ) {
        self.configuration = configuration
        self.store = store
        self.s3 = s3
        self.sqs = sqs
        self.logger = logger
        dispatcher = OutboxDispatcher(
            store: store, sqs: sqs, queueURL: configuration.queueURL,
            interval: configuration.dispatchInterval, logger: logger)
        limits = RequestLimits(configuration: configuration)
        hub = ProgressHub(store: store, interval: configuration.eventPollInterval, tickInterval: configuration.eventKeepAlive, logger: logger)
    }

    /// The routes.
    public func router() -> Router<ProducerRequestContext> {
        PrometheusMetrics.bootstrap()
        let router = Router(context: ProducerRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ErrorMiddleware(pace: configuration.bodyPace))
        router.add(middleware: DatabaseUnavailableMiddleware())
        let ingestor = VideoIngestor(configuration: configuration, store: store, s3: s3, dispatcher: dispatcher, logger: logger)
        let api = router.group("v1").add(middleware: APIKeyAuthenticator(store: store, limits: limits))
        VideoRoutes(configuration: configuration, store: store, s3: s3, ingestor: ingestor, dispatcher: dispatcher, limits: limits).add(to: api)
        UploadRoutes(configuration: configuration, s3: s3, ingestor: ingestor, limits: limits).add(to: api)
        eventRoutes.add(to: api)
        PlaybackRoutes(configuration: configuration, store: store, s3: s3).add(to: router)
        WebhookRoutes(configuration: configuration, store: store, limits: limits).add(to: api)
        OperationsRoutes(configuration: configuration, store: store, s3: s3, sqs: sqs, limits: limits).add(public: router, api: api)
        AdminRoutes(configuration: configuration, store: store, sqs: sqs).add(to: api)
        return router
    }

    /// The router WebSocket upgrades are matched against: the WebSocket route alone (behind the same error
    /// handling and authentication), so no other route runs for an upgrade request.
    public func webSocketRouter() -> Router<ProducerRequestContext> {
        let router = Router(context: ProducerRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ErrorMiddleware(pace: configuration.bodyPace))
        router.add(middleware: DatabaseUnavailableMiddleware())
        eventRoutes.addWebSocket(to: router.group("v1").add(middleware: APIKeyAuthenticator(store: store, limits: limits)))
        return router
    }

    var eventRoutes: EventRoutes {
        EventRoutes(configuration: configuration, store: store, hub: hub, limits: limits)
    }

    /// The HTTP server (idle and request-head timeouts) with the outbox dispatcher beside it, as one service group.
    public func application(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let headTimeout = TimeAmount(configuration.requestHeadTimeout)
        let webSocketResponder = webSocketRouter().buildResponder()
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(additionalChannelHandlers: [RequestHeadTimeoutHandler(timeout: headTimeout)], idleTimeout: TimeAmount(configuration.idleTimeout)))
        let server = HTTPServerBuilder { responder in
            GuardedChildChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: channelConfiguration),
                headTimeout: headTimeout)
        }
        var app = Application(
            router: router(), server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "videoqueue-producer"),
            onServerRunning: onServerRunning, logger: logger)
        app.addServices(
            dispatcher, WebhookDispatcher(store: store, configuration: configuration, logger: logger),
            OrphanSweeper(
                store: store, s3: s3, bucket: configuration.bucket, age: configuration.orphanAge,
                interval: configuration.orphanSweepInterval, logger: logger),
            RetentionSweeper(
                store: store, s3: s3, bucket: configuration.bucket, policy: configuration.retention,
                interval: configuration.retentionSweepInterval, logger: logger))
        return app
    }
}

/// Answers a request that failed because the database cannot be reached now (``VideoStoreError/Code/unavailable``:
/// PostgreSQL down or not yet up, no RDS IAM token yet) with `503 database_unavailable` and `Retry-After`, instead of
/// a 500: the client may retry, and `/readyz` says the same meanwhile.
struct DatabaseUnavailableMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The `Retry-After` of the answer, in seconds.
    static var retryAfterSeconds: Int { 5 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as VideoStoreError where error.code == .unavailable {
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            throw APIError(
                .serviceUnavailable, code: "database_unavailable", message: "the database is not available now; try again later",
                headers: [.retryAfter: "\(Self.retryAfterSeconds)"])
        }
    }
}
