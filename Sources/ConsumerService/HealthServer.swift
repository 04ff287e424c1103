import Foundation
import Hummingbird
import Logging
import MediaProcessing
import Metrics
import NIOCore
import ServiceLifecycle
import ServiceSupport

/// The consumer's small HTTP server: `/healthz` (the process answers), `/readyz` (start-up not waiting for a
/// dependency, SQS, S3 and the database reachable, and the poll loop within the wait it announced, see
/// ``ConsumerService/isPollLoopAlive``) and, when a
/// renderer is given (by default `PrometheusMetrics.render`), `/metrics` (Prometheus text).
///
/// `/readyz` answers 200 `ready` or 503 with one line per failed check; each check has a 5-second limit.
public enum HealthServer {
    /// The outcome of the readiness checks: `nil` values passed, others say why they failed.
    public struct Readiness: Sendable, Equatable {
        /// Why the jobs queue's attributes could not be read.
        public var sqs: String?
        /// Why the output bucket could not be checked (or does not exist).
        public var s3: String?
        /// Why the video store did not answer.
        public var database: String?
        /// Why the poll loop counts as dead (not started, or silent too long).
        public var pollLoop: String?
        /// What start-up still waits for (`waiting for SQS: …`), `nil` once the consumer runs.
        public var startup: String? = nil
        /// Why the scratch directory's file system counts as full (less than ``minimumFreeBytes`` free).
        public var disk: String? = nil
        /// The free bytes where jobs write (`nil`: unknown).
        public var scratchFreeBytes: Int64? = nil
        /// The video codecs the installed FFmpeg encodes (`nil`: not checked).
        public var codecs: [String]? = nil

        /// Below this much free space in the scratch directory the consumer is not ready: 512 MiB.
        public static let minimumFreeBytes: Int64 = 512 << 20

        /// Whether every check passed.
        public var isReady: Bool { sqs == nil && s3 == nil && database == nil && pollLoop == nil && startup == nil && disk == nil }

        /// `ready`, or one `check: reason` line per failure; then the scratch directory's free bytes and the codecs.
        public var text: String {
            let free = (scratchFreeBytes.map { "scratch_free_bytes: \($0)\n" } ?? "") + (codecs.map { "codecs: \($0.joined(separator: ","))\n" } ?? "")
            guard !isReady else { return "ready\n" + free }
            return [("startup", startup), ("sqs", sqs), ("s3", s3), ("database", database), ("poll_loop", pollLoop), ("disk", disk)]
                .compactMap { name, reason in reason.map { "\(name): \($0)\n" } }.joined() + free
        }
    }

    /// Runs the readiness checks of `consumer` concurrently.
    public static func readiness(of consumer: ConsumerService) async -> Readiness {
        async let sqs = check { _ = try await consumer.sqs.attributes(of: consumer.configuration.queueURL, names: ["QueueArn"]) }
        async let s3 = check {
            if try await !consumer.s3.bucketExists(consumer.configuration.bucket) {
                throw HealthCheckFailure("bucket \(consumer.configuration.bucket) does not exist")
            }
        }
        async let database = check { _ = try await consumer.store.video(id: UUID(), owner: nil) }
        let status = consumer.status
        var readiness = Readiness(sqs: await sqs, s3: await s3, database: await database, pollLoop: nil, startup: status.waitingFor)
        readiness.scratchFreeBytes = try? DiskSpace.available(at: URL(fileURLWithPath: consumer.configuration.scratchDirectory))
        readiness.codecs = consumer.pipeline.availableCodecs?.sorted().map(\.rawValue)
        if let free = readiness.scratchFreeBytes, free < Readiness.minimumFreeBytes {
            readiness.disk = "only \(free) bytes free for scratch files (at least \(Readiness.minimumFreeBytes) needed)"
        }
        if !consumer.isPollLoopAlive {
            readiness.pollLoop =
                status.lastPoll == nil
                ? "not started"
                : "overstayed its last wait by \(consumer.liveness.overdue().map { "\($0)" } ?? "a moment")"
        }
        return readiness
    }

    private struct HealthCheckFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    private static func check(_ operation: @escaping @Sendable () async throws -> Void) async -> String? {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    throw HealthCheckFailure("no answer within 5 s")
                }
                try await group.next()
                group.cancelAll()
            }
            return nil
        } catch {
            return String("\(error)".prefix(300)).replacingOccurrences(of: "\n", with: " ")
        }
    }

    /// The routes, for the application below or for tests.
    public static func router(consumer: ConsumerService, metrics: (@Sendable () async -> String)? = { PrometheusMetrics.render() }) -> Router<
        BasicRequestContext
    > {
        let router = Router()
        router.get("healthz") { _, _ in
            text("ok\n", status: .ok)
        }
        router.get("readyz") { _, _ in
            let readiness = await readiness(of: consumer)
            return text(readiness.text, status: readiness.isReady ? .ok : .serviceUnavailable)
        }
        if let metrics {
            router.get("metrics") { _, _ in
                // Ready as far as the process knows without a network call: the poll loop runs and waits for nothing.
                let ready = consumer.isPollLoopAlive && consumer.status.waitingFor == nil
                Gauge(label: "videoqueue_consumer_ready").record(ready ? 1 : 0)
                return text(await metrics(), status: .ok, contentType: PrometheusMetrics.contentType)
            }
        }
        return router
    }

    /// The server as a `Service` on ``ConsumerConfiguration/healthHost``:``ConsumerConfiguration/healthPort``
    /// (`nil` when the port is 0). `onServerRunning` receives the bound port.
    public static func application(
        consumer: ConsumerService, metrics: (@Sendable () async -> String)? = { PrometheusMetrics.render() }, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> (any Service)? {
        let configuration = consumer.configuration
        guard configuration.healthPort != 0 else { return nil }
        return Application(
            router: router(consumer: consumer, metrics: metrics),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.healthHost, port: configuration.healthPort),
                serverName: "videoqueue-consumer"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    private static func text(_ body: String, status: HTTPResponse.Status, contentType: String = "text/plain; charset=utf-8") -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(body)
        return Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: buffer))
    }
}
