import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import NIOCore
import Synchronization
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// The OpenAPI document matches the router; the upload page and the WebSocket progress stream work.
@Suite struct APIDocumentTests {
    @Test func theDocumentIsAValidOpenAPI31DocumentWithOperationIDs() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vq-openapi-\(UUID().uuidString).json")
        try OpenAPIDocument.json().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await runTool([
            ProcessInfo.processInfo.environment["VIDEOQUEUE_PYTHON"] ?? "python3", "-c",
            """
            import json, sys
            from openapi_spec_validator import validate
            document = json.load(open(sys.argv[1]))
            validate(document)
            ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
            assert len(ids) == len(set(ids)), "duplicate operationId"
            print(len(ids))
            """, file.path,
        ])
        #expect(result.status == 0, "openapi-spec-validator refused the document")
        #expect((Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) == OpenAPIDocument.operations.count)
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedPathIsRouted() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let application = fixture.application()
            let routed = Set(
                (application.router().routes + application.webSocketRouter().routes).map { route -> String in
                    let path = "\(route.path)".split(separator: "/").map { segment in
                        // `**` (the rest of the path) is documented as one `{path}` parameter.
                        segment == "**" ? "{path}" : segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
                    }.joined(separator: "/")
                    return "\(route.method.rawValue) /\(path)".replacingOccurrences(of: "//", with: "/")
                })
            let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
            #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
            #expect(routed.count >= 14)
        }
    }

    @Test func theDocumentAndTheConsoleAreServed() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                    #expect(object?["openapi"] as? String == "3.1.0")
                }
                var nonces: [String] = []
                for _ in 0..<2 {
                    try await client.execute(uri: "/", method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                        #expect(response.headers[.cacheControl] == "no-store")
                        let policy = response.headers[.contentSecurityPolicy] ?? ""
                        #expect(policy.contains("default-src 'none'"))
                        #expect(!policy.contains("unsafe-inline") && !policy.split(separator: " ").contains("https:"), "\(policy)")
                        let html = String(buffer: response.body)
                        // The inline style and script carry the nonce the policy names, and nothing else runs.
                        let nonce = policy.split(separator: "'").first { $0.hasPrefix("nonce-") }.map { String($0.dropFirst(6)) } ?? ""
                        #expect(nonce.count >= 22)
                        #expect(html.contains("<script nonce=\"\(nonce)\">") && html.contains("<style nonce=\"\(nonce)\">"))
                        #expect(html.components(separatedBy: "<script").count == 2)
                        #expect(html.contains("id=\"file\"") && html.contains("id=\"key-form\"") && html.contains("sessionStorage"))
                        #expect(!html.contains("localStorage"))
                        #expect(!html.contains("http://") && !html.contains("https://"))  // no external assets
                        nonces.append(nonce)
                    }
                }
                #expect(nonces.count == 2 && nonces[0] != nonces[1], "a fresh nonce per response")
            }
        }
    }

    @Test func theWebSocketAnswersPingAndStatusAndStreamsProgressToTheEnd() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let video = try await VideoAccessTests.record(fixture, owner: "alice")
            _ = try await fixture.store.markQueued(id: video.id)
            let store = fixture.store
            let received = Mutex<[String]>([])
            try await fixture.withClient { client in
                var configuration = WebSocketClientConfiguration()
                configuration.additionalHeaders = [.authorization: "Bearer \(fixture.alice)"]
                try await client.ws("/v1/videos/\(video.id.uuidString)/ws", configuration: configuration) { inbound, outbound, _ in
                    try await outbound.write(.text(#"{"type":"ping"}"#))
                    try await outbound.write(.text(#"{"type":"get_status"}"#))
                    try await outbound.write(.text("garbage"))
                    var iterator = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                    var claimedAttempt: Int?
                    while let message = try await iterator.next() {
                        guard case .text(let text) = message else { continue }
                        received.withLock { $0.append(text) }
                        let count = received.withLock { $0.count }
                        if count == 4, claimedAttempt == nil {
                            let claimed = try #require(try await store.claim(id: video.id))
                            claimedAttempt = claimed.attempts
                            _ = try await store.updateProgress(id: video.id, attempt: claimed.attempts, stage: .encoding, progress: 55, eta: 3)
                            _ = try await store.complete(id: video.id, attempt: claimed.attempts, outputs: [])
                        }
                    }
                }
            }
            let messages = received.withLock { $0 }
            #expect(messages.contains(#"{"type":"pong"}"#))
            #expect(messages.contains { $0.contains("\"type\":\"status\"") && $0.contains("\"status\":\"queued\"") })
            #expect(messages.contains { $0.contains("\"type\":\"error\"") })
            #expect(messages.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "every message is JSON")
            #expect(messages.last?.contains("\"type\":\"done\"") == true)
            #expect(messages.last?.contains("\"status\":\"completed\"") == true)
            // Without a key there is no upgrade (and the HTTP router does not know the WebSocket route at all).
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos/\(video.id.uuidString)/ws", method: .get) { response in
                    #expect(response.status == .notFound)
                }
                let upgraded = (try? await client.ws("/v1/videos/\(video.id.uuidString)/ws") { _, _, _ in }) != nil
                #expect(!upgraded, "no upgrade without a key")
            }
        }
    }
}
