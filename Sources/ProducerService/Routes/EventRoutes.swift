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
            _ = try await record(context: context)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            try await webSocket(inbound: inbound, outbound: outbound, context: context.requestContext)
        }
    }

    /// The record named in the path, if the caller may see it.
    func record(context: ProducerRequestContext) async throws -> VideoRecord {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let record = try await store.video(id: id, owner: try context.ownerScope()) else {
            throw APIError.notFound()
        }
        return record
    }

    /// The same progress over WebSocket: `{"type":"progress"|"done", …}` messages as the record changes, and
    /// answers to `{"type":"ping"}` (`pong`) and `{"type":"get_status"}` (`status`); closes after `done`.
    func webSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: ProducerRequestContext) async throws {
        let id = try await record(context: context).id
        let owner = try context.ownerScope()
        let store = self.store
        let interval = configuration.eventPollInterval
        func send(_ type: String, _ record: VideoRecord) async throws {
            let event = WebSocketEvent(type: type, event: ProgressEvent(record))
            try await outbound.write(.text(String(decoding: try JSONEncoder().encode(event), as: UTF8.self)))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var last: ProgressEvent?
                while !Task.isCancelled {
                    guard let record = try await store.video(id: id, owner: owner) else { break }
                    let event = ProgressEvent(record)
                    if event != last {
                        try await send(event.isFinal ? "done" : "progress", record)
                        last = event
                        if event.isFinal { break }
                    }
                    try await Task.sleep(for: interval)
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 4096) {
                    guard case .text(let text) = message,
                          let request = try? JSONDecoder().decode(WebSocketRequest.self, from: Data(text.utf8)) else {
                        try await outbound.write(.text(#"{"type":"error","error":{"code":"BadMessage","message":"send {"type":"ping"} or {"type":"get_status"}"}}"#))
                        continue
                    }
                    switch request.type {
                    case "ping":
                        try await outbound.write(.text(#"{"type":"pong"}"#))
                    case "get_status":
                        if let record = try await store.video(id: id, owner: owner) { try await send("status", record) }
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
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              try await store.video(id: id, owner: owner) != nil else {
            throw APIError.notFound()
        }
        let store = self.store
        let interval = configuration.eventPollInterval
        let body = ResponseBody { writer in
            var last: ProgressEvent?
            var lastWrite = ContinuousClock.now
            var sequence = 0
            while !Task.isCancelled {
                guard let record = try await store.video(id: id, owner: owner) else {
                    try await writer.write(ByteBuffer(string: "event: gone\ndata: {}\n\n"))
                    break
                }
                let event = ProgressEvent(record)
                if event != last {
                    sequence += 1
                    let data = try JSONEncoder().encode(event)
                    let name = event.isFinal ? "done" : "progress"
                    try await writer.write(ByteBuffer(string: "id: \(sequence)\nevent: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                    last = event
                    lastWrite = .now
                    if event.isFinal { break }
                } else if ContinuousClock.now - lastWrite > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = .now
                }
                try await Task.sleep(for: interval)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [
            .contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no",
        ], body: body)
    }
}
