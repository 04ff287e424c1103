import Foundation
import ServiceSupport

/// Every per-caller bound of the producer's API in one place, shared by the routes: one token bucket per owner
/// for uploads (both upload routes draw from it), one for control requests (retry, cancel/delete), one per
/// client address for failed authentications, and the concurrency caps on uploads and progress streams.
struct RequestLimits: Sendable {
    /// Uploads started (`POST /v1/videos`, `POST /v1/uploads`) per owner.
    let uploads: RateLimiter
    /// `POST /v1/videos/{id}/retry` and `DELETE /v1/videos/{id}` per owner.
    let control: RateLimiter
    /// Requests with a missing or bad API key per client address (``ClientAddress``).
    let authFailures: RateLimiter
    /// Keys that authenticated in the last minute: they pass even from an address over its failure budget.
    let recentKeys = RecentKeys()
    /// Proxies whose `X-Forwarded-For` names the client.
    let trustedProxies: [IPNetwork]
    /// Uploads streaming into S3 or being completed at once, per owner and in all.
    let activeUploads: ConcurrencyLimiter
    /// Open SSE and WebSocket progress streams, per owner and in all.
    let streams: ConcurrencyLimiter

    init(configuration: ProducerConfiguration) {
        uploads = RateLimiter(perMinute: configuration.uploadsPerMinute)
        control = RateLimiter(perMinute: configuration.controlRequestsPerMinute)
        authFailures = RateLimiter(perMinute: configuration.authFailuresPerMinute)
        trustedProxies = configuration.trustedProxies
        activeUploads = ConcurrencyLimiter(perKey: configuration.maximumConcurrentUploadsPerKey, total: configuration.maximumConcurrentUploads)
        streams = ConcurrencyLimiter(perKey: configuration.maximumStreamsPerKey, total: configuration.maximumStreams)
    }

    /// Takes a token from `limiter` for `key`, or throws `429 rate_limited` with `Retry-After`.
    static func take(_ limiter: RateLimiter, _ key: String, what: String) throws(APIError) {
        guard let wait = limiter.acquire(key) else { return }
        throw rateLimited(wait, what: what)
    }

    /// `429 rate_limited` with `Retry-After`: the whole seconds (at least one) until `wait` has passed.
    static func rateLimited(_ wait: Duration, what: String) -> APIError {
        let seconds = max(1, Int(wait.seconds.rounded(.up)))
        return APIError.tooManyRequests(code: "rate_limited", message: "too many \(what); retry in \(seconds) s", retryAfter: seconds)
    }

    /// A place in `limiter` for `key`, or `429` with `code` and `Retry-After`.
    static func hold(_ limiter: ConcurrencyLimiter, _ key: String, code: String, what: String) throws(APIError) -> ConcurrencyLimiter.Lease {
        guard let lease = limiter.acquire(key) else {
            let held = limiter.held(key)
            let scope = held.key >= limiter.perKey ? "this key has \(limiter.perKey)" : "the server has \(limiter.total)"
            throw APIError.tooManyRequests(code: code, message: "too many \(what) at once (\(scope) open); retry later", retryAfter: 5)
        }
        return lease
    }
}
