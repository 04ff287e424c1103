import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import ServiceSupport
import VideoStore

/// Sends the webhook deliveries the status changes wrote (a durable outbox in the database): leases the due ones,
/// POSTs each signed (Standard Webhooks headers) with a timeout and no redirects, and records the attempt —
/// delivered on a 2xx, else due again after a doubling, jittered delay, until ``ProducerConfiguration/webhookRetention``
/// after the event, then failed. A producer that stops mid-retry leaves the deliveries pending; any producer sends
/// them later. The target is checked again before each attempt (SSRF: see ``WebhookTarget``).
final class WebhookDispatcher: Service, Sendable {
    let store: any VideoStore
    let configuration: ProducerConfiguration
    let logger: Logger
    private let http: HTTPClient

    /// The most of a receiver's answer that is read (and thrown away).
    static let maximumResponseBytes = 64 * 1024
    /// How many deliveries one round sends at once.
    static let batchSize = 16

    init(store: any VideoStore, configuration: ProducerConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        var client = HTTPClient.Configuration()
        client.redirectConfiguration = .disallow
        client.timeout = .init(connect: .seconds(5), read: TimeAmount(configuration.webhookTimeout))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: client)
    }

    func run() async throws {
        await deliverUntilShutdown()
        // Awaited: the client's connections are closed before the service returns.
        try? await http.shutdown()
    }

    private func deliverUntilShutdown() async {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
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

    /// One attempt, recorded.
    func deliver(_ delivery: WebhookDelivery, to endpoint: WebhookSigningEndpoint) async {
        let outcome = await attempt(delivery, to: endpoint)
        let now = Date()
        var next: Date?
        if !outcome.delivered {
            let delay = Backoff(base: configuration.webhookRetryBase, cap: configuration.webhookRetryMaximum).delay(afterAttempt: delivery.attempts)
            let due = now.addingTimeInterval(delay.seconds)
            next = due.timeIntervalSince(delivery.createdAt) <= configuration.webhookRetention.seconds ? due : nil
            logger.info("webhook delivery failed", metadata: ["delivery_id": "\(delivery.id)", "attempt": "\(delivery.attempts)",
                                                               "error": "\(outcome.error ?? "-")", "retry": "\(next.map { "\($0)" } ?? "no more")"])
        }
        do {
            try await store.recordWebhookAttempt(id: delivery.id, delivered: outcome.delivered, statusCode: outcome.statusCode,
                                                 error: outcome.error, nextAttempt: next, now: now)
        } catch {
            logger.warning("cannot record a webhook attempt (it is sent again after its lease)", metadata: ["delivery_id": "\(delivery.id)",
                                                                                                              "error": "\(error)"])
        }
    }

    private func attempt(_ delivery: WebhookDelivery, to endpoint: WebhookSigningEndpoint) async -> (delivered: Bool, statusCode: Int?, error: String?) {
        if let problem = WebhookTarget.problem(with: endpoint.endpoint.url, allowPrivate: configuration.webhookAllowPrivateTargets) {
            return (false, nil, "target refused: \(problem)")
        }
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: endpoint.endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "VideoQueue-Webhooks/1")
        request.headers.add(name: "webhook-id", value: delivery.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature",
                            value: WebhookSignature.header(id: delivery.id, timestamp: timestamp, body: delivery.payload, secrets: endpoint.secrets))
        request.body = .bytes(ByteBuffer(string: delivery.payload))
        do {
            let response = try await http.execute(request, timeout: TimeAmount(configuration.webhookTimeout))
            _ = try? await response.body.collect(upTo: Self.maximumResponseBytes)
            let code = Int(response.status.code)
            return (200..<300).contains(code) ? (true, code, nil) : (false, code, "HTTP \(code)")
        } catch {
            let text = "\(error)"
            return (false, nil, text.count > 300 ? String(text.prefix(300)) + "…" : text)
        }
    }
}
