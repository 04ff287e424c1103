import Foundation
import Synchronization

/// A token bucket per key (an owner, a client address): `perMinute` tokens refill evenly over a minute, so a key may burst up to
/// `perMinute` requests and then sustain one every `60/perMinute` seconds.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let perMinute: Int
    private let buckets = Mutex<[String: Bucket]>([:])

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
        let capacity = Double(perMinute)
        let perSecond = capacity / 60
        return buckets.withLock { buckets in
            if buckets.count > Self.prunedAbove {
                buckets = buckets.filter { (now - $0.value.updated) < .seconds(60) }
            }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * perSecond)
            bucket.updated = now
            if bucket.tokens >= 1 {
                if consume {
                    bucket.tokens -= 1
                    buckets[key] = bucket
                }
                return nil
            }
            if consume { buckets[key] = bucket }
            return .milliseconds(Int64(((1 - bucket.tokens) / perSecond) * 1000))
        }
    }
}
