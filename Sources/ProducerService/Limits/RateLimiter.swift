import Synchronization

/// A ``TokenBucket`` per key (an owner, a client address): `perMinute` tokens refill evenly over a minute, so a key
/// may burst up to `perMinute` requests and then sustain one every `60/perMinute` seconds.
final class RateLimiter: Sendable {
    private let perMinute: Int
    private let buckets = Mutex<[String: TokenBucket]>([:])

    init(perMinute: Int) {
        self.perMinute = perMinute
    }

    /// Takes a token for `key`; when none is left, returns how long until one is (for `Retry-After`).
    func acquire(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        take(key, consume: true, now: now)
    }

    /// How long until `key` has a token again (`nil`: it has one now), taking nothing.
    func wait(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        take(key, consume: false, now: now)
    }

    /// Buckets kept before full ones (keys not seen for a minute) are forgotten.
    static let prunedAbove = 10_000

    private func take(_ key: String, consume: Bool, now: ContinuousClock.Instant) -> Duration? {
        guard perMinute > 0 else { return nil }
        return buckets.withLock { buckets in
            if buckets.count > Self.prunedAbove {
                buckets = buckets.filter { (now - $0.value.updated) < .seconds(60) }
            }
            var bucket = buckets[key] ?? TokenBucket(capacity: Double(perMinute), perSecond: Double(perMinute) / 60, now: now)
            let wait = bucket.take(now: now, consume: consume)
            // A look that takes nothing stores nothing: a key that was only looked at gets no bucket.
            if consume { buckets[key] = bucket }
            return wait
        }
    }
}
