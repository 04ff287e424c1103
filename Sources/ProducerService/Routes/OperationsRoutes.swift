import AWSClientRuntime
import Foundation
import Hummingbird
import S3Client
import SQSClient
import ServiceSupport
import VideoCore
import VideoStore

/// `/healthz`, `/readyz`, `/metrics`, `GET /v1/queue`, and the web console at `GET /` (``ConsolePage``).
struct OperationsRoutes: Sendable {
    let configuration: ProducerConfiguration
    let store: any VideoStore
    let s3: S3Client
    let sqs: SQSClient
    let limits: RequestLimits

    func add(public router: Router<ProducerRequestContext>, api group: RouterGroup<ProducerRequestContext>) {
        router.get("healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        let console = ConsolePage(
            jobs: JobType.all.map(\.rawValue), defaultJobs: configuration.defaultJobs.map(\.rawValue),
            bucketOrigin: s3.origin(of: configuration.bucket))
        router.get("/") { _, _ in console.response() }
        let document = OpenAPIDocument.json(codecs: configuration.codecs, presets: configuration.presets)
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        let checks = ReadinessChecks { [store, s3, sqs, configuration] in
            async let database = Self.check { _ = try await store.statusCounts() }
            async let bucket = Self.check {
                guard try await s3.bucketExists(configuration.bucket) else { throw APIError.notFound("bucket \(configuration.bucket)") }
            }
            async let queue = Self.check { _ = try await sqs.attributes(of: configuration.queueURL, names: ["QueueArn"]) }
            return ["database": await database, "s3": await bucket, "sqs": await queue]
        }
        router.get("readyz") { request, context in try await readiness(request, context: context, checks: checks) }
        let gauges = QueueGauges(sqs: sqs, queueURL: configuration.queueURL, deadLetterQueueURL: configuration.deadLetterQueueURL)
        if configuration.metricsRequireKey {
            group.get("metrics") { _, context in
                await gauges.refresh(logger: context.logger)
                return PrometheusMetrics.response()
            }
        } else {
            router.get("metrics") { _, context in
                await gauges.refresh(logger: context.logger)
                return PrometheusMetrics.response()
            }
        }
        group.get("queue") { _, context in try await queue(context: context) }
    }

    /// Each dependency checked, with what failed.
    struct Readiness: Codable, ResponseEncodable {
        var ready: Bool
        var checks: [String: String]
        /// The video codecs uploads may ask for.
        var codecs: [String]
        /// The presets uploads may name, and the default one.
        var presets: [String]
        var defaultPreset: String
    }

    /// Each check as `ok` or `fail` for anyone (load balancers); what failed only for an admin key, and in the log.
    /// The checks run at most once a second (``ReadinessChecks``); a key sent here is counted like one sent to `/v1`.
    func readiness(_ request: Request, context: ProducerRequestContext, checks: ReadinessChecks) async throws -> Response {
        let checks = await checks.current()
        let ready = checks.values.allSatisfy { $0 == "ok" }
        for (name, result) in checks where result != "ok" {
            context.logger.warning("not ready", metadata: ["check": "\(name)", "error": "\(result)"])
        }
        var admin = false
        if APIKeyAuthenticator.presentedKey(request) != nil {
            // A refused key is counted against its address and sees the public answer.
            admin = (try? await APIKeyAuthenticator.authenticate(request, context: context, store: store, limits: limits))?.isAdmin == true
        }
        let shown = admin ? checks : checks.mapValues { $0 == "ok" ? "ok" : "fail" }
        return try Readiness(
            ready: ready, checks: shown, codecs: configuration.codecs.sorted().map(\.rawValue), presets: configuration.presets.presets.keys.sorted(),
            defaultPreset: configuration.presets.defaultPreset
        ).response(status: ready ? .ok : .serviceUnavailable)
    }

    /// The longest one readiness check may take: a dependency that does not answer within it (PostgreSQL unreachable,
    /// an endpoint that accepts and says nothing) is reported as timed out, so `/readyz` answers promptly.
    static let checkTimeout: Duration = .seconds(3)

    /// `ok`, or what failed: the error, or `timed out` when `body` took longer than `limit`.
    static func check(limit: Duration = checkTimeout, _ body: @escaping @Sendable () async throws -> Void) async -> String {
        do {
            try await withTimeout(limit, operation: "readiness check", body)
            return "ok"
        } catch is CallTimeoutError {
            return "timed out: no answer within \(limit)"
        } catch {
            return "\(error)"
        }
    }

    /// Queue depths from SQS and record counts from the database.
    struct QueueResponse: Codable, ResponseEncodable {
        struct Depth: Codable {
            var visible: Int
            var inFlight: Int
            var delayed: Int
        }
        var queue: Depth
        var deadLetterQueue: Depth?
        var records: [String: Int]
        var outboxDepth: Int
    }

    /// The depth of one queue: visible, in flight, delayed.
    static func depth(of url: String, sqs: SQSClient) async throws -> QueueResponse.Depth {
        let names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
        let attributes = try await sqs.attributes(of: url, names: names)
        return .init(
            visible: Int(attributes[names[0]] ?? "") ?? 0, inFlight: Int(attributes[names[1]] ?? "") ?? 0,
            delayed: Int(attributes[names[2]] ?? "") ?? 0)
    }

    func queue(context: ProducerRequestContext) async throws -> Response {
        // Queue depths are the service's; record counts are the caller's own unless the key is an admin's.
        let owner = try context.ownerScope()
        let main = try await Self.depth(of: configuration.queueURL, sqs: sqs)
        var dead: QueueResponse.Depth?
        if let dlq = configuration.deadLetterQueueURL { dead = try await Self.depth(of: dlq, sqs: sqs) }
        let counts = try await store.statusCounts(owner: owner)
        var records: [String: Int] = [:]
        for status in VideoStatus.allCases { records[status.rawValue] = counts[status] ?? 0 }
        return try QueueResponse(queue: main, deadLetterQueue: dead, records: records, outboxDepth: try await store.outboxDepth())
            .response(status: .ok)
    }
}
