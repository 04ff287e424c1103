import Synchronization

/// The stop switches of the jobs running now, by message id, so a shutdown can hand them all back.
///
/// Once ``abortAll(_:)`` ran, a job that registers afterwards (it was between receive and start) is
/// stopped at once with the same reason, so none slips past the drain timeout.
final class ActiveJobs: Sendable {
    private let state = Mutex<(signals: [String: AbortSignal], closedWith: AbortReason?)>(([:], nil))

    func insert(_ messageID: String, _ signal: AbortSignal) {
        let reason = state.withLock { state -> AbortReason? in
            state.signals[messageID] = signal
            return state.closedWith
        }
        if let reason { signal.trigger(reason) }
    }

    func remove(_ messageID: String) {
        _ = state.withLock { $0.signals.removeValue(forKey: messageID) }
    }

    var count: Int { state.withLock { $0.signals.count } }

    /// Triggers `reason` on every running job, and on every job that registers later.
    func abortAll(_ reason: AbortReason) {
        let signals = state.withLock { state -> [AbortSignal] in
            state.closedWith = reason
            return Array(state.signals.values)
        }
        for signal in signals { signal.trigger(reason) }
    }
}
