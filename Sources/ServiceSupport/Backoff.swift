/// Exponential backoff with full jitter, as the AWS SDKs and the AWS Architecture Blog recommend: the n-th
/// wait is a uniformly random duration in `0 … min(cap, base × 2ⁿ⁻¹)`, so retrying clients spread out
/// instead of arriving together.
public struct Backoff: Sendable, Hashable {
    /// The first wait's upper bound.
    public var base: Duration
    /// The largest upper bound.
    public var cap: Duration

    /// A backoff from `base` doubling up to `cap`.
    public init(base: Duration = .milliseconds(200), cap: Duration = .seconds(60)) {
        self.base = base
        self.cap = cap
    }

    /// The upper bound of the wait before attempt `attempt + 1` (attempt 1 is the first failure).
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = max(0, min(attempt - 1, 40))
        let seconds = min(cap.seconds, base.seconds * Double(1 << UInt64(exponent)))
        return .milliseconds(Int64(seconds * 1000))
    }

    /// A random wait in `0 … ceiling(afterAttempt:)`.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let ceiling = ceiling(afterAttempt: attempt).seconds
        return .milliseconds(Int64(Double.random(in: 0...max(ceiling, 0)) * 1000))
    }
}
