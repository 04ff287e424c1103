import Hummingbird
import Logging

/// Turns every error a route throws into the JSON error shape: ``APIError`` as it is, Hummingbird's own
/// `HTTPError` (bad parameters, unknown routes) with its status, anything else as a 500 whose details go to
/// the log only.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "NotFound" : error.status.reasonPhrase.replacingOccurrences(of: " ", with: "")
            throw APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase, headers: error.headers)
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, code: error.status.reasonPhrase.replacingOccurrences(of: " ", with: ""), message: error.status.reasonPhrase)
        } catch is CancellationError {
            throw APIError(.serviceUnavailable, code: "ShuttingDown", message: "the request was cancelled")
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw APIError(.internalServerError, code: "InternalError", message: "the request failed; see the server log")
        }
    }
}
