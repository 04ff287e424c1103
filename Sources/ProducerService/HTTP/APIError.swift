import Foundation
import Hummingbird
import VideoCore

/// An error answered to a client as JSON: `{"error": {"code": "…", "message": "…", "field": "…"}}` with its HTTP
/// status (`field` only when a request field is at fault).
/// Nothing else (no stack trace, no internal description) reaches the client.
public struct APIError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code in snake case, e.g. `payload_too_large` (given in any casing: see ``ErrorCode``).
    public var code: String
    /// A human-readable message.
    public var message: String
    /// Extra headers (e.g. `Retry-After`).
    public var headers: HTTPFields
    /// The path of the request field at fault (`options.renditions[1]`), when one is.
    public var field: String?

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:], field: String? = nil) {
        self.field = field
        self.status = status
        self.code = ErrorCode.snakeCase(code)
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// Whether the connection is closed after this error's response instead of reading the rest of the request
    /// (a refused upload's remaining bytes are not worth receiving).
    public var closesConnection: Bool { headers[.connection]?.lowercased() == "close" }

    /// This error with `Connection: close`: the rest of the request is not read.
    func closingConnection() -> APIError {
        var error = self
        error.headers[.connection] = "close"
        return error
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = ErrorBody(error: .init(code: code, message: message, field: field))
        let data = (try? JSONEncoder().encode(body)) ?? Data(#"{"error":{"code":"internal_error","message":"error"}}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
        }
        var error: Detail
    }

    // MARK: The errors the API answers with

    static func notFound(_ what: String = "video") -> APIError { APIError(.notFound, code: "not_found", message: "no such \(what)") }
    static func badRequest(_ message: String, code: String = "BadRequest") -> APIError { APIError(.badRequest, code: code, message: message) }
    static func conflict(_ message: String) -> APIError { APIError(.conflict, code: "conflict", message: message) }
    static func tooLarge(limit: Int64) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", message: "the upload is larger than the limit of \(limit) bytes")
    }
    static func unsupportedMedia(_ message: String) -> APIError { APIError(.unsupportedMediaType, code: "unsupported_media_type", message: message) }
    static func tooManyRequests(code: String, message: String, retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, code: code, message: message, headers: [.retryAfter: String(seconds)])
    }
    static func unavailable(_ message: String) -> APIError { APIError(.serviceUnavailable, code: "service_unavailable", message: message) }
}
