import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import VideoCore
import VideoStore

/// `GET /v1/videos/:id/events` (Server-Sent Events) and `GET /v1/videos/:id/ws` (WebSocket): live progress.
/// Both follow the database through the ``ProgressHub`` (one poller per video in this process, whichever
/// producer a client reaches and whichever consumer does the work), send an event when status, stage, percent
/// or ETA changed, keep-alives every 15 s, and a final `done` event when the video is completed, failed or
/// cancelled. Each open stream holds a place in ``RequestLimits/streams`` (per owner and in all: `429
/// too_many_streams` past them); a WebSocket client may send ``ProducerConfiguration/webSocketMessagesPerSecond``
/// messages a second (bursts of twice as many), more are answered `rate_limited` and, past ten times that, the
/// connection is closed.
struct EventRoutes: Sendable {
    let configuration: ProducerConfiguration
    let store: any VideoStore
    let hub: ProgressHub
    let limits: RequestLimits

    func add(to group: RouterGroup<ProducerRequestContext>) {
        group.get("videos/:id/events") { request, context in try await events(request, context: context) }
    }

    /// The WebSocket route, on the router that handles upgrades (it holds nothing else).
    func addWebSocket(to group: RouterGroup<ProducerRequestContext>) {
        group.ws("videos/:id/ws") { _, context in
            _ = try await context.requestedVideo(in: store)
            // Refused before the upgrade when the caller or the server holds too many streams already.
            try RequestLimits.hold(limits.streams, try context.requireCaller().owner, code: "too_many_streams", what: "progress streams")
                .release()
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            try await webSocket(inbound: inbound, outbound: outbound, context: context.requestContext)
        }
    }

    // MARK: Server-Sent Events

    func events(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let lease = try RequestLimits.hold(limits.streams, try context.requireCaller().owner, code: "too_many_streams", what: "progress streams")
        let id = try await context.requestedVideo(in: store).id
        let hub = self.hub
        let body = ResponseBody { writer in
            defer { lease.release() }
            var sequence = 0
            for await update in hub.subscribe(id) {
                switch update {
                case .event(let event):
                    sequence += 1
                    let data = try JSONEncoder().encode(event)
                    let name = event.isFinal ? "done" : "progress"
                    try await writer.write(ByteBuffer(string: "id: \(sequence)\nevent: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                case .tick:
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                case .gone:
                    try await writer.write(ByteBuffer(string: "event: gone\ndata: {}\n\n"))
                }
            }
            try await writer.finish(nil)
        }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        if let noProxyBuffering = HTTPField.Name("X-Accel-Buffering") { headers[noProxyBuffering] = "no" }  // nginx: do not hold it back
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: WebSocket

    /// `{"type":"progress"|"done", …}` messages as the record changes, and answers to `{"type":"ping"}` (`pong`)
    /// and `{"type":"get_status"}` (`status`, the last event seen, from memory); closes after `done`.
    func webSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: ProducerRequestContext) async throws {
        let caller = try context.requireCaller()
        let owner = try context.ownerScope()
        let store = self.store
        guard let lease = limits.streams.acquire(caller.owner) else {
            try await outbound.close(.policyViolation, reason: "too many progress streams")
            return
        }
        defer { lease.release() }
        let id = try await context.requestedVideo(in: store).id
        let latest = LatestEvent()
        let hub = self.hub
        let perSecond = configuration.webSocketMessagesPerSecond
        func send(_ type: String, _ progress: ProgressEvent) async throws {
            let event = WebSocketEvent(type: type, event: progress)
            try await outbound.write(.text(String(decoding: try JSONEncoder().encode(event), as: UTF8.self)))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await update in hub.subscribe(id) {
                    guard case .event(let event) = update else { continue }
                    latest.set(event)
                    try await send(event.isFinal ? "done" : "progress", event)
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            group.addTask {
                var bucket = MessageBucket(perSecond: perSecond)
                for try await message in inbound.messages(maxSize: 4096) {
                    switch bucket.take() {
                    case .allowed: break
                    case .refused:
                        try await outbound.write(.text(#"{"type":"error","error":{"code":"rate_limited","message":"too many messages"}}"#))
                        continue
                    case .dropped:
                        continue
                    case .abusive:
                        try await outbound.close(.policyViolation, reason: "too many messages")
                        return
                    }
                    guard case .text(let text) = message,
                        let request = try? JSONDecoder().decode(WebSocketRequest.self, from: Data(text.utf8))
                    else {
                        try await outbound.write(
                            .text(#"{"type":"error","error":{"code":"bad_message","message":"send {\"type\":\"ping\"} or {\"type\":\"get_status\"}"}}"#))
                        continue
                    }
                    switch request.type {
                    case "ping":
                        try await outbound.write(.text(#"{"type":"pong"}"#))
                    case "get_status":
                        // From memory once the stream has delivered an event; the record before that.
                        var event = latest.value
                        if event == nil { event = try await store.video(id: id, owner: owner).map(ProgressEvent.init) }
                        if let event { try await send("status", event) }
                    default:
                        try await outbound.write(.text(#"{"type":"error","error":{"code":"unknown_type","message":"unknown message type"}}"#))
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    struct WebSocketRequest: Decodable {
        var type: String
    }

    struct WebSocketEvent: Encodable {
        var type: String
        var event: ProgressEvent

        func encode(to encoder: any Encoder) throws {
            try event.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(type, forKey: .type)
        }

        enum Key: String, CodingKey { case type }
    }
}
