import Foundation
import Hummingbird
import SQSClient
import VideoCore
import VideoStore

/// The admin routes (an admin key only; `403 forbidden` for others): API keys (`/v1/keys`) and the dead-letter queue
/// (`/v1/dlq`: a look at its messages, and moving them back to the jobs queue).
struct AdminRoutes: Sendable {
    let configuration: ProducerConfiguration
    let store: any VideoStore
    let sqs: SQSClient

    /// The most messages one redrive moves (call it again for more).
    static let maximumRedrive = 1000

    func add(to group: RouterGroup<ProducerRequestContext>) {
        group.get("keys") { _, context in try await keys(context: context) }
        group.post("keys") { request, context in try await createKey(request, context: context) }
        group.delete("keys/:id") { _, context in try await revokeKey(context: context) }
        group.get("dlq") { _, context in try await deadLetters(context: context) }
        group.post("dlq/redrive") { _, context in try await redrive(context: context) }
    }

    static func requireAdmin(_ context: ProducerRequestContext) throws {
        guard try context.requireCaller().isAdmin else {
            throw APIError(.forbidden, code: "forbidden", message: "this needs an admin key")
        }
    }

    // MARK: Keys

    /// A key as listed: never its secret.
    struct KeyDocument: Codable, ResponseEncodable {
        var id: UUID
        var owner: String
        var name: String
        var admin: Bool
        var createdAt: Date
        var revokedAt: Date?

        init(_ key: APIKey) {
            id = key.id
            owner = key.owner
            name = key.name
            admin = key.isAdmin
            createdAt = key.createdAt
            revokedAt = key.revokedAt
        }
    }

    struct KeyList: Codable, ResponseEncodable {
        var keys: [KeyDocument]
    }

    struct CreatedKey: Codable, ResponseEncodable {
        var key: KeyDocument
        /// The key itself, shown once.
        var secret: String
    }

    func keys(context: ProducerRequestContext) async throws -> Response {
        try Self.requireAdmin(context)
        return try KeyList(keys: try await store.apiKeys().map(KeyDocument.init)).response(status: .ok)
    }

    func createKey(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        try Self.requireAdmin(context)
        struct Body: Decodable {
            var owner: String
            var name: String?
            var admin: Bool?
        }
        let bytes = try await request.body.collect(upTo: 4096)
        guard let body = try? JSONDecoder().decode(Body.self, from: bytes) else {
            throw APIError.badRequest("the body must be JSON {\"owner\": …, \"name\"?, \"admin\"?}", code: "invalid_body")
        }
        let name = body.name ?? "default"
        for (field, value, limit) in [("owner", body.owner, 200), ("name", name, 200)] {
            guard !value.isEmpty, value.count <= limit, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw APIError(
                    .badRequest, code: "invalid_\(field)", message: "\(field) must be 1…\(limit) characters without control characters",
                    field: field)
            }
        }
        let created = try await store.createAPIKey(owner: body.owner, name: name, isAdmin: body.admin ?? false)
        context.logger.notice("API key created", metadata: ["key_id": "\(created.key.id)", "owner": "\(created.key.owner)"])
        var response = try CreatedKey(key: KeyDocument(created.key), secret: created.plaintext).response(status: .created)
        response.headers[.location] = (configuration.publicURL ?? "") + "/v1/keys/\(created.key.id)"
        return response
    }

    func revokeKey(context: ProducerRequestContext) async throws -> Response {
        try Self.requireAdmin(context)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), try await store.revokeAPIKey(id: id) else {
            throw APIError.notFound("key")
        }
        return Response(status: .noContent)
    }

    // MARK: The dead-letter queue

    struct DeadLetter: Codable {
        var messageID: String
        var videoID: String?
        var receiveCount: Int?
        var sentAt: Date?
        var bytes: Int
    }

    struct DeadLetters: Codable, ResponseEncodable {
        var queue: OperationsRoutes.QueueResponse.Depth
        /// Up to ten messages, looked at without taking them (visible again at once).
        var messages: [DeadLetter]
    }

    struct Redriven: Codable, ResponseEncodable {
        var moved: Int
    }

    func deadLetterQueue() throws -> String {
        guard let url = configuration.deadLetterQueueURL else {
            throw APIError(.notFound, code: "no_dead_letter_queue", message: "no dead-letter queue is configured (VIDEOQUEUE_DLQ_URL)")
        }
        return url
    }

    func deadLetters(context: ProducerRequestContext) async throws -> Response {
        try Self.requireAdmin(context)
        let url = try deadLetterQueue()
        let depth = try await OperationsRoutes.depth(of: url, sqs: sqs)
        let messages = try await sqs.receive(from: url, maximumMessages: 10, waitTime: 0, visibilityTimeout: 0)
        let letters = messages.map { message in
            DeadLetter(
                messageID: message.messageID, videoID: (try? QueueMessage.decode(message.body))?.video.id.uuidString.lowercased(),
                receiveCount: message.approximateReceiveCount, sentAt: message.sentTimestamp, bytes: message.body.utf8.count)
        }
        return try DeadLetters(queue: depth, messages: letters).response(status: .ok)
    }

    /// Moves up to ``maximumRedrive`` messages from the dead-letter queue back to the jobs queue: each is sent, then
    /// deleted from the DLQ (a crash between the two leaves a duplicate, which the consumers' claim absorbs).
    func redrive(context: ProducerRequestContext) async throws -> Response {
        try Self.requireAdmin(context)
        let url = try deadLetterQueue()
        var moved = 0
        while moved < Self.maximumRedrive {
            let messages = try await sqs.receive(from: url, maximumMessages: 10, waitTime: 0, visibilityTimeout: 60)
            guard !messages.isEmpty else { break }
            for message in messages {
                var outgoing = SQSOutgoingMessage(body: message.body)
                if configuration.queueURL.hasSuffix(".fifo") {
                    let group = (try? QueueMessage.decode(message.body))?.video.id.uuidString.lowercased() ?? message.messageID
                    outgoing = outgoing.addressed(to: configuration.queueURL, groupID: group, deduplicationID: UUID().uuidString)
                }
                _ = try await sqs.send(outgoing, to: configuration.queueURL)
                try await sqs.delete(receiptHandle: message.receiptHandle, from: url)
                moved += 1
            }
        }
        context.logger.notice("dead letters moved back to the jobs queue", metadata: ["count": "\(moved)"])
        return try Redriven(moved: moved).response(status: .ok)
    }
}
