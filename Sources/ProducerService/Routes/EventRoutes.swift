import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import VideoCore
import VideoStore

/// `GET /v1/videos/:id/events`: live progress as Server-Sent Events. The stream follows the database, not
/// this process's memory, so it works whichever producer a client reaches and whichever consumer does the
/// work: it reads the record every ``ProducerConfiguration/eventPollInterval`` and sends an event when
/// status, stage, percent or ETA changed, a comment every 15 s to keep proxies from closing it, and a final
/// `done` event when the video reaches completed, failed or cancelled.
struct EventRoutes: Sendable {
    let configuration: ProducerConfiguration
    let store: any VideoStore

    func add(to group: RouterGroup<ProducerRequestContext>) {
        group.get("videos/:id/events") { request, context in try await events(request, context: context) }
        group.ws("videos/:id/ws") { _, context in
            _ = try await context.requestedVideo(in: store)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            try await webSocket(inbound: inbound, outbound: outbound, context: context.requestContext)
        }
    }

    /// Reads the record every `interval` and hands `emit` each event that differs from the last, until a final
    /// one (completed, failed, cancelled) or until the record is gone (`nil`); `unchanged` runs after reads that
    /// found nothing new. What SSE and WebSocket clients see comes from here, so the two streams agree.
    static func follow(id: UUID, owner: String?, store: any VideoStore, interval: Duration,
                       emit: (ProgressEvent?) async throws -> Void, unchanged: () async throws -> Void = {}) async throws {
        var last: ProgressEvent?
        while !Task.isCancelled {
            guard let record = try await store.video(id: id, owner: owner) else {
                try await emit(nil)
                return
            }
            let event = ProgressEvent(record)
            if event != last {
                try await emit(event)
                last = event
                if event.isFinal { return }
            } else {
                try await unchanged()
            }
            try await Task.sleep(for: interval)
        }
    }

    /// The same progress over WebSocket: `{"type":"progress"|"done", …}` messages as the record changes, and
    /// answers to `{"type":"ping"}` (`pong`) and `{"type":"get_status"}` (`status`); closes after `done`.
    func webSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: ProducerRequestContext) async throws {
        let id = try await context.requestedVideo(in: store).id
        let owner = try context.ownerScope()
        let store = self.store
        let interval = configuration.eventPollInterval
        func send(_ type: String, _ progress: ProgressEvent) async throws {
            let event = WebSocketEvent(type: type, event: progress)
            try await outbound.write(.text(String(decoding: try JSONEncoder().encode(event), as: UTF8.self)))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Self.follow(id: id, owner: owner, store: store, interval: interval) { event in
                    guard let event else { return }
                    try await send(event.isFinal ? "done" : "progress", event)
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 4096) {
                    guard case .text(let text) = message,
                          let request = try? JSONDecoder().decode(WebSocketRequest.self, from: Data(text.utf8)) else {
                        try await outbound.write(.text(#"{"type":"error","error":{"code":"BadMessage","message":"send {\"type\":\"ping\"} or {\"type\":\"get_status\"}"}}"#))
                        continue
                    }
                    switch request.type {
                    case "ping":
                        try await outbound.write(.text(#"{"type":"pong"}"#))
                    case "get_status":
                        if let record = try await store.video(id: id, owner: owner) { try await send("status", ProgressEvent(record)) }
                    default:
                        try await outbound.write(.text(#"{"type":"error","error":{"code":"UnknownType","message":"unknown message type"}}"#))
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

    /// One progress event.
    struct ProgressEvent: Codable, Equatable, Sendable {
        var id: String
        var status: String
        var stage: String?
        var progress: Double
        var etaSeconds: Double?
        var error: VideoFailure?
        var outputs: Int

        init(_ record: VideoRecord) {
            id = record.id.uuidString.lowercased()
            status = record.status.rawValue
            stage = record.stage?.rawValue
            progress = (record.progress * 10).rounded() / 10
            etaSeconds = record.etaSeconds.map { $0.rounded() }
            error = record.error
            outputs = record.outputs.count
        }

        var isFinal: Bool { ["completed", "failed", "cancelled"].contains(status) }
    }

    func events(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let owner = try context.ownerScope()
        let id = try await context.requestedVideo(in: store).id
        let store = self.store
        let interval = configuration.eventPollInterval
        let body = ResponseBody { writer in
            var lastWrite = ContinuousClock.now
            var sequence = 0
            try await Self.follow(id: id, owner: owner, store: store, interval: interval) { event in
                guard let event else {
                    try await writer.write(ByteBuffer(string: "event: gone\ndata: {}\n\n"))
                    return
                }
                sequence += 1
                let data = try JSONEncoder().encode(event)
                let name = event.isFinal ? "done" : "progress"
                try await writer.write(ByteBuffer(string: "id: \(sequence)\nevent: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                lastWrite = .now
            } unchanged: {
                if ContinuousClock.now - lastWrite > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = .now
                }
            }
            try await writer.finish(nil)
        }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        if let noProxyBuffering = HTTPField.Name("X-Accel-Buffering") { headers[noProxyBuffering] = "no" }  // nginx: do not hold it back
        return Response(status: .ok, headers: headers, body: body)
    }
}
