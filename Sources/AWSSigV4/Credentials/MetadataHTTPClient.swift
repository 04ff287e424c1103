import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends the small requests of the metadata endpoints (ECS, IMDS) with a deadline and collects
/// the whole response body, which is capped in size.
///
/// Errors thrown are the transport's; callers turn them into ``CredentialsError`` values whose
/// messages they control, so no header (and so no token) can leak into a message.
struct MetadataHTTPClient: Sendable {
    /// A response with its body collected.
    struct Response: Sendable {
        /// The HTTP status code.
        var status: UInt
        /// The body decoded as UTF-8 (invalid bytes repaired).
        var body: String
    }

    /// The largest body accepted; credentials documents are a few kilobytes.
    static let maximumBodySize = 64 * 1024

    let httpClient: HTTPClient
    /// The time each request has to complete, connection included.
    let timeout: Duration

    /// Sends one request and collects its response.
    func send(_ method: HTTPMethod, url: String, headers: [(String, String)]) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers {
            request.headers.add(name: name, value: value)
        }
        let response = try await httpClient.execute(request, timeout: TimeAmount(clamping: timeout))
        let body = try await response.body.collect(upTo: Self.maximumBodySize)
        return Response(status: response.status.code, body: String(buffer: body))
    }

    /// A short, secret-free description of a transport failure for error messages.
    static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError,
            error == .deadlineExceeded || error == .connectTimeout || error == .readTimeout
        {
            return "timed out after \(timeout)"
        }
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
