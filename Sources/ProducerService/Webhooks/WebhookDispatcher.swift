import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import ServiceSupport
import VideoStore

/// Why an attempt's request did not complete.
struct WebhookAttemptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        var rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        /// The receiver did not answer whole (head and body) within ``ProducerConfiguration/webhookTimeout``.
        static let deadlineExceeded = Code(rawValue: "deadline_exceeded")
    }

    /// What went wrong.
    var code: Code
    /// A message for people.
    var message: String

    var description: String { "\(code): \(message)" }
}

/// Sends the webhook deliveries the status changes wrote (a durable outbox in the database): leases the due ones,
/// POSTs each signed (Standard Webhooks headers) with one deadline and no redirects, and records the attempt —
/// delivered on a 2xx, else due again after a doubling, jittered delay, until ``ProducerConfiguration/webhookRetention``
/// after the event, then failed. A producer that stops mid-retry leaves the deliveries pending; any producer sends
/// them later. The target is checked again before each attempt, with one resolution whose address the attempt uses
/// (SSRF and DNS rebinding: see ``WebhookTarget``). Finished deliveries older than the retention, and deliveries of
/// deleted endpoints, are pruned every ``pruneInterval``.
///
/// An attempt takes at most ``WebhookResolver/timeout`` to resolve, then ``ProducerConfiguration/webhookTimeout`` for
/// everything else — connecting, sending, the response head and its body — however slowly a receiver trickles
/// bytes; the deliveries of a round run side by side, so one slow receiver holds a round no longer than that.
final class WebhookDispatcher: Service, Sendable {
    let store: any VideoStore
    let configuration: ProducerConfiguration
    let logger: Logger
    let resolver: WebhookResolver
    private let http: HTTPClient

    /// The most of a receiver's answer that is read (and thrown away).
    static let maximumResponseBytes = 64 * 1024
    /// How many deliveries one round sends at once.
    static let batchSize = 16
    /// How often old deliveries are pruned (also when the dispatcher starts).
    static let pruneInterval: Duration = .seconds(600)
    /// The most delivery rows one prune deletes (a backlog goes over several).
    static let pruneLimit = 50_000

    /// - Parameter resolver: how target hosts are looked up (tests give one that hangs or rebinds).
    init(store: any VideoStore, configuration: ProducerConfiguration, logger: Logger, resolver: WebhookResolver = .system) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.resolver = resolver
        var client = HTTPClient.Configuration()
        // Never followed: a receiver's redirect (to 169.254.169.254, to loopback) is its answer, recorded as a failure.
        client.redirectConfiguration = .disallow
        client.timeout = .init(connect: .seconds(5), read: TimeAmount(configuration.webhookTimeout))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: client)
    }

    func run() async throws {
        await deliverUntilShutdown()
        // Awaited: the client's connections are closed before the service returns.
        await shutdown()
    }

    /// Closes the HTTP client and its connections: ``run()`` does when it returns; a dispatcher that never ran must.
    func shutdown() async {
        try? await http.shutdown()
    }

    private func deliverUntilShutdown() async {
        var lastPrune: ContinuousClock.Instant?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if lastPrune.map({ ContinuousClock.now - $0 >= Self.pruneInterval }) ?? true {
                lastPrune = .now
                await prune()
            }
            let due: [(delivery: WebhookDelivery, endpoint: WebhookSigningEndpoint)]
            do {
                due = try await store.dueWebhookDeliveries(limit: Self.batchSize, now: Date(), lease: configuration.webhookTimeout + .seconds(30))
            } catch {
                logger.warning("cannot read due webhook deliveries", metadata: ["error": "\(error)"])
                due = []
            }
            if due.isEmpty {
                try? await cancelWhenGracefulShutdown { [configuration] in try await Task.sleep(for: configuration.webhookInterval) }
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                for (delivery, endpoint) in due {
                    group.addTask { await self.deliver(delivery, to: endpoint) }
                }
            }
        }
    }

    /// Deletes delivered and failed deliveries whose last attempt is older than ``ProducerConfiguration/webhookRetention``
    /// and the deliveries of deleted endpoints (at most ``pruneLimit``); how many. Errors are logged (tried again later).
    @discardableResult
    func prune(now: Date = Date()) async -> Int {
        let cutoff = now.addingTimeInterval(-configuration.webhookRetention.seconds)
        var pruned = 0
        do {
            while pruned < Self.pruneLimit, !Task.isCancelled {
                let removed = try await store.pruneWebhookDeliveries(finishedBefore: cutoff, limit: 1000)
                pruned += removed
                if removed == 0 { break }
            }
        } catch {
            logger.warning("cannot prune webhook deliveries", metadata: ["error": "\(error)"])
        }
        if pruned > 0 { logger.info("pruned webhook deliveries", metadata: ["count": "\(pruned)"]) }
        return pruned
    }

    /// One attempt, recorded.
    func deliver(_ delivery: WebhookDelivery, to endpoint: WebhookSigningEndpoint) async {
        let outcome = await attempt(delivery, to: endpoint)
        let now = Date()
        var next: Date?
        if !outcome.delivered {
            let delay = Backoff(base: configuration.webhookRetryBase, cap: configuration.webhookRetryMaximum).delay(afterAttempt: delivery.attempts)
            let due = now.addingTimeInterval(delay.seconds)
            next = due.timeIntervalSince(delivery.createdAt) <= configuration.webhookRetention.seconds ? due : nil
            logger.info(
                "webhook delivery failed",
                metadata: [
                    "delivery_id": "\(delivery.id)", "attempt": "\(delivery.attempts)",
                    "error": "\(outcome.error ?? "-")", "retry": "\(next.map { "\($0)" } ?? "no more")",
                ])
        }
        do {
            try await store.recordWebhookAttempt(
                id: delivery.id, delivered: outcome.delivered, statusCode: outcome.statusCode,
                error: outcome.error, nextAttempt: next, now: now)
        } catch {
            logger.warning(
                "cannot record a webhook attempt (it is sent again after its lease)",
                metadata: [
                    "delivery_id": "\(delivery.id)",
                    "error": "\(error)",
                ])
        }
    }

    /// The signed request of an attempt to send `payload` as delivery `deliveryID` to `url`, as checked now (one
    /// resolution; for `http`, to the address it answered).
    func request(url: String, deliveryID: String, payload: String, secrets: [String]) async throws(WebhookTargetError) -> HTTPClientRequest {
        let target = try await WebhookTarget.check(url, allowPrivate: configuration.webhookAllowPrivateTargets, resolver: resolver)
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: target.connectURL)
        request.method = .POST
        if let host = target.hostHeader { request.headers.replaceOrAdd(name: "Host", value: host) }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "VideoQueue-Webhooks/1")
        request.headers.add(name: "webhook-id", value: deliveryID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: WebhookSignature.header(id: deliveryID, timestamp: timestamp, body: payload, secrets: secrets))
        request.body = .bytes(ByteBuffer(string: payload))
        return request
    }

    private func attempt(_ delivery: WebhookDelivery, to endpoint: WebhookSigningEndpoint) async -> (delivered: Bool, statusCode: Int?, error: String?) {
        let request: HTTPClientRequest
        do throws(WebhookTargetError) {
            request = try await self.request(
                url: endpoint.endpoint.url, deliveryID: delivery.id, payload: delivery.payload,
                secrets: endpoint.secrets)
        } catch {
            return (false, nil, "target refused: \(error)")
        }
        do {
            let code = try await send(request)
            return (200..<300).contains(code) ? (true, code, nil) : (false, code, "HTTP \(code)")
        } catch {
            let text = "\(error)"
            return (false, nil, text.count > 300 ? String(text.prefix(300)) + "…" : text)
        }
    }

    /// Sends `request` and reads (and drops) up to ``maximumResponseBytes`` of the answer, all within one deadline of
    /// ``ProducerConfiguration/webhookTimeout``: the HTTP client's own deadline ends at the response head and its read
    /// timeout restarts with every byte, so a receiver trickling its body would hold the attempt far longer.
    func send(_ request: HTTPClientRequest) async throws -> Int {
        let timeout = configuration.webhookTimeout
        // The client's deadline (to the response head) is only a backstop, a second later: the one deadline is ours.
        let deadline = NIODeadline.now() + TimeAmount(timeout + .seconds(1))
        do {
            return try await sendWithin(timeout, request, deadline: deadline)
        } catch let error as CallTimeoutError {
            throw WebhookAttemptError(code: .deadlineExceeded, message: "no complete answer within \(error.limit)")
        }
    }

    private func sendWithin(_ timeout: Duration, _ request: HTTPClientRequest, deadline: NIODeadline) async throws -> Int {
        try await withTimeout(timeout, operation: "webhook delivery") { [http] in
            let response = try await http.execute(request, deadline: deadline)
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read >= Self.maximumResponseBytes { break }
            }
            return Int(response.status.code)
        }
    }
}
