import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// The outermost middleware of every request: a request id (the client's `X-Request-Id` when it is a sane token,
/// else a new UUID) in the logger's `request_id` metadata and the response's `X-Request-Id`; one access-log line
/// per request (`method`, `path`, `status`, `duration_ms`); and the HTTP metrics under Prometheus's conventions:
/// `http_server_requests_total{method, route, status}` and `http_server_request_duration_seconds{method, route}`,
/// the route being the matched path template (`/v1/videos/{id}`), never the raw path.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    static var requestIDField: HTTPField.Name { HTTPField.Name("X-Request-Id") ?? .contentType }

    /// A client's request id is kept when it is 1–128 characters of letters, digits, `-`, `_`, `.` and `:`.
    static func acceptedID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.count),
            value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) })
        else { return nil }
        return value
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = Self.acceptedID(request.headers[Self.requestIDField]) ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[Self.requestIDField] = id
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        let status = String(response.status.code)
        Counter(label: "http_server_requests_total", dimensions: [("method", method), ("route", route), ("status", status)]).increment()
        Metrics.Timer(label: "http_server_request_duration_seconds", dimensions: [("method", method), ("route", route)]).recordInterval(elapsed)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(method)", "path": "\(LoggedPath.of(request.uri.path))", "status": "\(status)",
                "duration_ms": "\(Int((elapsed.seconds * 1000).rounded()))",
            ])
        return response
    }
}

extension Metrics.Timer {
    /// Records a `Duration`.
    func recordInterval(_ duration: Duration) {
        recordNanoseconds(Int64(duration.seconds * 1_000_000_000))
    }
}

/// Request paths as the logs show them.
enum LoggedPath {
    /// The path as logged: the bearer tokens in it (a playback token, an upload token — each a credential for as long
    /// as it lives) replaced by `{token}`, so the access log is no source of them.
    static func of(_ path: String) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let tokenAfter: Set<Substring> = ["play", "uploads"]
        for index in segments.indices.dropFirst() where tokenAfter.contains(segments[index - 1]) && index >= 2 && segments[index - 2] == "v1" {
            if !segments[index].isEmpty { segments[index] = "{token}" }
        }
        return segments.joined(separator: "/")
    }
}
