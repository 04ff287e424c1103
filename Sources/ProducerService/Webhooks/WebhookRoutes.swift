import Foundation
import HTTPTypes
import Hummingbird
import VideoStore

/// `/v1/webhooks`: an owner's endpoints for signed events (Standard Webhooks), their secrets (shown once, rotated
/// with a day's overlap) and delivery logs, with manual redelivery. The changes (create, rotate, delete, redeliver)
/// draw from the owner's control-request budget (``RequestLimits/control``), before any lookup or database work.
struct WebhookRoutes: Sendable {
    let configuration: ProducerConfiguration
    let store: any VideoStore
    let limits: RequestLimits
    let resolver: WebhookResolver

    /// What a `429` names.
    static let rateLimitedWhat = "webhook changes (they share the budget of cancel, delete and retry requests)"

    /// Routes that draw from `limits` (the producer's shared budgets) and look hosts up with `resolver`.
    init(configuration: ProducerConfiguration, store: any VideoStore, limits: RequestLimits, resolver: WebhookResolver = .system) {
        self.configuration = configuration
        self.store = store
        self.limits = limits
        self.resolver = resolver
    }

    /// How long a rotated-out secret still signs deliveries.
    static let rotationOverlap: TimeInterval = 24 * 3600

    struct CreateRequest: Decodable {
        var url: String
        var events: [String]?
    }

    /// An endpoint as the API shows it; `secret` only in the answers that create or rotate it.
    struct EndpointResponse: Codable, ResponseEncodable {
        var endpoint: WebhookEndpoint
        var secret: String?
    }

    struct EndpointList: Codable, ResponseEncodable {
        var endpoints: [WebhookEndpoint]
    }

    struct DeliveryList: Codable, ResponseEncodable {
        var deliveries: [WebhookDelivery]
    }

    func add(to group: RouterGroup<ProducerRequestContext>) {
        group.post("webhooks") { request, context in try await create(request, context: context) }
        group.get("webhooks") { _, context in
            try EndpointList(endpoints: try await store.webhookEndpoints(owner: try context.requireCaller().owner)).response(status: .ok)
        }
        group.delete("webhooks/:id") { _, context in
            try takeControlToken(context)
            guard try await store.deleteWebhookEndpoint(id: try Self.id(context), owner: try context.requireCaller().owner) else {
                throw APIError.notFound("webhook endpoint")
            }
            return Response(status: .noContent)
        }
        group.post("webhooks/:id/rotate") { _, context in
            try takeControlToken(context)
            guard
                let rotated = try await store.rotateWebhookSecret(
                    id: try Self.id(context), owner: try context.requireCaller().owner,
                    keepPreviousUntil: Date().addingTimeInterval(Self.rotationOverlap))
            else {
                throw APIError.notFound("webhook endpoint")
            }
            return try EndpointResponse(endpoint: rotated.endpoint, secret: rotated.secret).response(status: .ok)
        }
        group.get("webhooks/:id/deliveries") { request, context in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            let deliveries = try await store.webhookDeliveries(
                endpointID: try Self.id(context), owner: try context.requireCaller().owner,
                limit: min(max(limit, 1), 1000))
            return try DeliveryList(deliveries: deliveries).response(status: .ok)
        }
        group.post("webhooks/:id/deliveries/:delivery/redeliver") { _, context in
            try takeControlToken(context)
            guard let delivery = context.parameters.get("delivery"), delivery.utf8.count <= 200,
                try await store.redeliverWebhook(id: delivery, endpointID: try Self.id(context), owner: try context.requireCaller().owner)
            else {
                throw APIError.notFound("webhook delivery")
            }
            return Response(status: .accepted)
        }
    }

    /// A token of the caller's control budget, or `429 rate_limited`.
    func takeControlToken(_ context: ProducerRequestContext) throws {
        try RequestLimits.take(limits.control, try context.requireCaller().owner, what: Self.rateLimitedWhat)
    }

    static func id(_ context: ProducerRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("webhook endpoint") }
        return id
    }

    func create(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        try takeControlToken(context)
        let body: CreateRequest
        do {
            body = try JSONDecoder().decode(CreateRequest.self, from: try await request.body.collect(upTo: 16 * 1024))
        } catch {
            throw APIError.badRequest("the body must be JSON {\"url\": \"https://…\", \"events\"?: [\"video.completed\", …]}", code: "invalid_body")
        }
        let events = Array(Set(body.events ?? [])).sorted()
        if let unknown = events.first(where: { !WebhookEvent.types.contains($0) }) {
            throw APIError.badRequest("unknown event \(unknown.prefix(100)) (known: \(WebhookEvent.types.joined(separator: ", ")))", code: "unknown_event")
        }
        do throws(WebhookTargetError) {
            _ = try await WebhookTarget.check(body.url, allowPrivate: configuration.webhookAllowPrivateTargets, resolver: resolver)
        } catch {
            throw APIError.badRequest("\(error.message) (\(error.code))", code: "webhook_target_not_allowed")
        }
        // Counted and inserted in one transaction: concurrent registrations cannot pass the cap together.
        guard
            let created = try await store.createWebhookEndpoint(
                owner: caller.owner, url: body.url, events: events,
                limit: configuration.maximumWebhooksPerOwner)
        else {
            throw APIError(.conflict, code: "too_many_webhooks", message: "at most \(configuration.maximumWebhooksPerOwner) endpoints per owner")
        }
        var response = try EndpointResponse(endpoint: created.endpoint, secret: created.secret).response(status: .created)
        response.headers[.location] = (configuration.publicURL ?? "") + "/v1/webhooks/\(created.endpoint.id.uuidString.lowercased())"
        return response
    }
}
