import HTTPTypes
import Hummingbird
import VideoStore

/// Authenticates `/v1` requests with an API key (`Authorization: Bearer …` or `X-API-Key: …`), looked up by
/// its SHA-256 in the store; a missing, unknown or revoked key is a 401. A client address that keeps presenting
/// bad keys (more than ``ProducerConfiguration/authFailuresPerMinute``) gets `429 rate_limited` without its keys
/// being looked up, until its budget refills.
struct APIKeyAuthenticator: RouterMiddleware {
    typealias Context = ProducerRequestContext
    let store: any VideoStore
    let failures: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if let wait = failures.wait(address) { throw RequestLimits.rateLimited(wait, what: "requests with a bad API key") }
        var context = context
        do {
            context.caller = try await Self.authenticate(request, store: store)
        } catch let error as APIError where error.status == .unauthorized {
            _ = failures.acquire(address)
            throw error
        }
        return try await next(request, context)
    }

    static func authenticate(_ request: Request, store: any VideoStore) async throws -> APIKey {
        guard let presented = presentedKey(request) else {
            throw APIError(.unauthorized, code: "Unauthorized", message: "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
        guard presented.utf8.count <= 256, let key = try await store.apiKey(forPlaintext: presented), key.revokedAt == nil else {
            throw APIError(.unauthorized, code: "Unauthorized", message: "the API key is not valid", headers: [.wwwAuthenticate: "Bearer"])
        }
        return key
    }

    static func presentedKey(_ request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                return token.isEmpty ? nil : token
            }
        }
        if let name = HTTPField.Name("X-API-Key"), let key = request.headers[name]?.trimmingCharacters(in: .whitespaces), !key.isEmpty {
            return key
        }
        return nil
    }
}
