/// The AWS SDKs' "standard" retry mode: a few attempts with exponential backoff and full jitter,
/// bounded by a retry quota so that an outage does not multiply the load.
public struct RetryConfiguration: Sendable, Hashable {
    /// Attempts in all, the first included (1 disables retries).
    public var maximumAttempts: Int
    /// The backoff scale: attempt *n* waits a random time in `0 ..< min(baseDelay × 2ⁿ, maximumDelay)`.
    public var baseDelay: Duration
    /// The longest wait between two attempts.
    public var maximumDelay: Duration
    /// Tokens in the retry quota (a retry costs ``retryCost``, one after a timeout ``timeoutRetryCost``;
    /// a success gives one back).
    public var quotaCapacity: Int
    /// The tokens one retry takes.
    public var retryCost: Int
    /// The tokens one retry after a timeout or a dropped connection takes.
    public var timeoutRetryCost: Int

    public init(
        maximumAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(20),
        quotaCapacity: Int = 500, retryCost: Int = 5, timeoutRetryCost: Int = 10
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.quotaCapacity = quotaCapacity
        self.retryCost = retryCost
        self.timeoutRetryCost = timeoutRetryCost
    }

    /// The SDKs' standard mode: 3 attempts, 20 s cap, a quota of 500.
    public static let standard = RetryConfiguration()

    /// No retries.
    public static let none = RetryConfiguration(maximumAttempts: 1)

    /// The wait before retry number `retry` (1 for the first retry): full jitter over the exponential bound.
    public func delay(beforeRetry retry: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let bound = min(baseDelay * (1 << exponent), maximumDelay)
        return bound * random
    }
}
