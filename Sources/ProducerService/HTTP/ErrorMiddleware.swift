import Hummingbird
import Logging

/// Turns every error a route throws into the JSON error shape: ``APIError`` as it is, Hummingbird's own
/// `HTTPError` (bad parameters, unknown routes) with its status, anything else as a 500 whose details go to
/// the log only.
///
/// Every body is held to its least pace (``BodyPace``) here too.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The pace every request body must keep.
    var pace = BodyPace(bytesPerSecond: 0)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Only a body that may be long is worth tracking (the decision below ignores the others).
        let body = ReadToEnd.bodyMayBeLong(request) ? ReadToEnd() : nil
        var tracked = request
        tracked.body = pace.pacing(request.body)
        if let body { tracked.body = body.tracking(tracked.body) }
        do {
            return try await next(tracked, context)
        } catch {
            var answer = Self.apiError(error, request: request, context: context)
            // Hummingbird reads a request's unread body to its end before the next request; the body of a refused
            // request may be long or endless (an unauthenticated upload, a refused upload, a wrong route). When the
            // rest is unread and may be long (chunked, or over a megabyte), at most a megabyte of it is read for a
            // second at most (a small body keeps the connection); past that, the connection is closed after the answer
            // and its input shut.
            if !answer.closesConnection, let body, !body.isEnded, await ReadToEnd.mustClose(after: request, readStarted: body.isStarted) {
                answer = answer.closingConnection()
            }
            if answer.closesConnection, let channel = (context as? ProducerRequestContext)?.channel {
                channel.close(mode: .input, promise: nil)
            }
            throw answer
        }
    }

    /// The error as the API answers it.
    static func apiError(_ error: any Error, request: Request, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            let code = error.status == .notFound ? "NotFound" : error.status.reasonPhrase.replacingOccurrences(of: " ", with: "")
            return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase, headers: error.headers)
        case let error as any HTTPResponseError:
            return APIError(error.status, code: error.status.reasonPhrase.replacingOccurrences(of: " ", with: ""), message: error.status.reasonPhrase)
        case is CancellationError:
            return APIError(.serviceUnavailable, code: "shutting_down", message: "the request was cancelled")
        default:
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(LoggedPath.of(request.uri.path))"])
            return APIError(.internalServerError, code: "internal_error", message: "the request failed; see the server log")
        }
    }
}
