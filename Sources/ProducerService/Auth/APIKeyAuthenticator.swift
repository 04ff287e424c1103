import HTTPTypes
import Hummingbird
import VideoStore

/// Authenticates `/v1` requests with an API key (`Authorization: Bearer …` or `X-API-Key: …`), looked up by
/// its SHA-256 in the store; a missing, unknown or revoked key is a 401. A client address (``ClientAddress``: behind
/// a trusted proxy the forwarded one, an IPv6 client by its /64) that keeps presenting bad keys (more than
/// ``ProducerConfiguration/authFailuresPerMinute``) gets `429 rate_limited` without its keys being looked up until
/// its budget refills — except a key that authenticated in the last minute (``RecentKeys``), which keeps working, so
/// an attacker sharing a proxy or NAT with good clients cannot lock them out.
struct APIKeyAuthenticator: RouterMiddleware {
    typealias Context = ProducerRequestContext
    let store: any VideoStore
    let limits: RequestLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try await Self.authenticate(request, context: context, store: store, limits: limits)
        return try await next(request, context)
    }

    /// The caller of `request`, counting a refused key against its client address (see the type's documentation).
    static func authenticate(_ request: Request, context: Context, store: any VideoStore, limits: RequestLimits) async throws -> APIKey {
        let address = ClientAddress.key(peer: context.channel.remoteAddress, headers: request.headers, trustedProxies: limits.trustedProxies)
        if let wait = limits.authFailures.wait(address) {
            if let presented = presentedKey(request), let key = limits.recentKeys.key(for: presented) { return key }
            throw RequestLimits.rateLimited(wait, what: "requests with a bad API key")
        }
        do {
            let key = try await authenticate(request, store: store)
            if let presented = presentedKey(request) { limits.recentKeys.remember(presented, as: key) }
            return key
        } catch let error as APIError where error.status == .unauthorized {
            _ = limits.authFailures.acquire(address)
            throw error
        }
    }

    static func authenticate(_ request: Request, store: any VideoStore) async throws -> APIKey {
        guard let presented = presentedKey(request) else {
            throw APIError(
                .unauthorized, code: "unauthorized", message: "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        guard presented.utf8.count <= 256, let key = try await store.apiKey(forPlaintext: presented), key.revokedAt == nil else {
            throw APIError(.unauthorized, code: "unauthorized", message: "the API key is not valid", headers: [.wwwAuthenticate: "Bearer"])
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
