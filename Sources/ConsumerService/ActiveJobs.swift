import Synchronization

/// The stop switches of the jobs running now, by message id, so a shutdown can hand them all back.
final class ActiveJobs: Sendable {
    private let signals = Mutex<[String: AbortSignal]>([:])

    func insert(_ messageID: String, _ signal: AbortSignal) {
        signals.withLock { $0[messageID] = signal }
    }

    func remove(_ messageID: String) {
        _ = signals.withLock { $0.removeValue(forKey: messageID) }
    }

    var count: Int { signals.withLock { $0.count } }

    /// Triggers `reason` on every running job.
    func abortAll(_ reason: AbortReason) {
        for signal in signals.withLock({ Array($0.values) }) { signal.trigger(reason) }
    }
}
