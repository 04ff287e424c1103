import ServiceSupport

/// A token bucket: holds up to `capacity` tokens, refilled at `perSecond`; each admitted event takes one.
/// ``RateLimiter`` keeps one per key, ``MessageBucket`` one per WebSocket connection.
struct TokenBucket {
    let capacity: Double
    let perSecond: Double
    private(set) var tokens: Double
    private(set) var updated: ContinuousClock.Instant

    /// A full bucket.
    init(capacity: Double, perSecond: Double, now: ContinuousClock.Instant) {
        self.capacity = capacity
        self.perSecond = perSecond
        tokens = capacity
        updated = now
    }

    /// Refills for the time since the last event, then takes a token when `consume` and one is there. `nil` when
    /// a token was there; otherwise how long until one is.
    mutating func take(now: ContinuousClock.Instant, consume: Bool = true) -> Duration? {
        tokens = min(capacity, tokens + (now - updated).seconds * perSecond)
        updated = now
        if tokens >= 1 {
            if consume { tokens -= 1 }
            return nil
        }
        return .milliseconds(Int64(((1 - tokens) / perSecond) * 1000))
    }
}
