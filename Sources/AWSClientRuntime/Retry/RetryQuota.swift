import Synchronization

/// The retry token bucket of the standard retry mode, shared by every request of one client.
///
/// Retries draw tokens; successes return one. When the bucket is empty, failures are returned at once
/// instead of being retried, so a client does not turn an outage into a retry storm.
public final class RetryQuota: Sendable {
    private let tokens: Mutex<Int>
    private let capacity: Int

    /// A full bucket of `capacity` tokens.
    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        self.tokens = Mutex(max(0, capacity))
    }

    /// The tokens left.
    public var available: Int { tokens.withLock { $0 } }

    /// Takes `cost` tokens if there are that many.
    public func acquire(_ cost: Int) -> Bool {
        tokens.withLock { tokens in
            guard tokens >= cost else { return false }
            tokens -= cost
            return true
        }
    }

    /// Returns `amount` tokens (never beyond the capacity).
    public func release(_ amount: Int) {
        tokens.withLock { $0 = min(capacity, $0 + amount) }
    }
}
