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
            if error.closesConnection, let channel = (context as? ProducerRequestContext)?.channel {
                // Hummingbird reads a request's unread body to its end before the next request; a refused upload
                // may be endless. Shutting the input ends that read; the response is still written.
                channel.close(mode: .input, promise: nil)
            }
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
