/// How long a message stays invisible after a transient failure, growing with its receive count.
///
/// `base × 2^(receiveCount − 1)`, capped at `maximum`, with "equal jitter": half of it fixed, half random,
/// so consumers that failed together do not all retry at the same instant, yet a retry never comes back at
/// once (full jitter could pick 0 and hammer a failing dependency).
public struct RedeliveryBackoff: Sendable, Equatable {
    /// The delay (seconds) after the first receive.
    public var base: Int
    /// The largest delay (seconds); SQS allows at most 43,200.
    public var maximum: Int

    public init(base: Int, maximum: Int) {
        self.base = max(0, base)
        self.maximum = min(43_200, max(self.base, maximum))
    }

    /// The un-jittered delay for a message received `receiveCount` times.
    public func ceiling(receiveCount: Int) -> Int {
        let exponent = min(30, max(0, receiveCount - 1))
        let (scaled, overflow) = base.multipliedReportingOverflow(by: 1 << exponent)
        return overflow ? maximum : min(maximum, scaled)
    }

    /// The visibility timeout (seconds) to set: between half the ceiling and the ceiling.
    public func delay<G: RandomNumberGenerator>(receiveCount: Int, using generator: inout G) -> Int {
        let ceiling = ceiling(receiveCount: receiveCount)
        let half = ceiling / 2
        return half + Int.random(in: 0...(ceiling - half), using: &generator)
    }

    /// ``delay(receiveCount:using:)`` with the system generator.
    public func delay(receiveCount: Int) -> Int {
        var generator = SystemRandomNumberGenerator()
        return delay(receiveCount: receiveCount, using: &generator)
    }
}
