import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import ProducerService

/// Every answer carries a request id; the HTTP metrics follow Prometheus's names and label routes by template.
@Suite struct RequestLogTests {
    static let requestID = HTTPField.Name("X-Request-Id")!

    @Test func aSaneClientRequestIDIsKeptAnythingElseIsReplaced() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(uri: "/healthz", method: .get, headers: [Self.requestID: "trace-42.a_b:c"]) { response in
                    #expect(response.headers[Self.requestID] == "trace-42.a_b:c")
                }
                for hostile in ["", String(repeating: "x", count: 200), "a b", "a\"b", "é"] {
                    try await client.execute(uri: "/healthz", method: .get, headers: [Self.requestID: hostile]) { response in
                        let id = response.headers[Self.requestID] ?? ""
                        #expect(id != hostile && UUID(uuidString: id) != nil, "\(hostile.prefix(20))")
                    }
                }
                // Errors carry it too.
                try await client.execute(uri: "/v1/videos", method: .get) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[Self.requestID] != nil)
                }
            }
        }
    }

    @Test func theMetricsCountRequestsByRouteTemplateWithTheBuildAndProcessMetrics() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                let id = UUID().uuidString
                try await client.execute(uri: "/v1/videos/\(id)", method: .get, headers: ProducerFixture.headers(key: fixture.alice)) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let text = String(buffer: response.body)
                    let requests = text.split(separator: "\n").filter { $0.hasPrefix("http_server_requests_total{") }
                    #expect(requests.contains { $0.contains(#"route="/v1/videos/{id}""#) && $0.contains(#"status="404""#) && $0.contains(#"method="GET""#) })
                    #expect(!text.contains(id.lowercased()) && !text.contains(id), "the raw path became a label")
                    #expect(text.contains("http_server_request_duration_seconds_bucket{"))
                    #expect(text.contains("videoqueue_build_info{version="))
                    #expect(text.contains("process_resident_memory_bytes "))
                    // Prometheus's own linter accepts the exposition (names, types, help, units).
                    let lint = try await runTool(["sh", "-c", "promtool check metrics 2>&1"], input: Data(text.utf8))
                    #expect(lint.status == 0, "promtool check metrics (Debian's prometheus package; scripts/test installs it): \(lint.output)")
                }
            }
        }
    }
}
