import Synchronization

/// The one-shot stop switch of a running job, shared by its watchers (cancellation poll, timeout, heartbeat,
/// shutdown) and its work.
///
/// The first ``trigger(_:)`` wins and wakes ``wait()``. Once the work calls ``beginCommit()`` (just before it
/// publishes results), triggers are ignored: a job is either aborted or commits, never both.
final class AbortSignal: Sendable {
    private struct State {
        var reason: AbortReason?
        var committed = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<AbortReason?, Never>] = [:]
    }

    private let state = Mutex(State())

    /// The reason, once triggered.
    var reason: AbortReason? { state.withLock { $0.reason } }

    /// Stops the job for `reason`, unless it was stopped already or is committing. Whether it took effect.
    @discardableResult
    func trigger(_ reason: AbortReason) -> Bool {
        let waiters = state.withLock { state -> [CheckedContinuation<AbortReason?, Never>]? in
            guard state.reason == nil, !state.committed else { return nil }
            state.reason = reason
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(returning: reason) }
        return true
    }

    /// Marks the job as publishing its results; `false` when it was aborted first.
    func beginCommit() -> Bool {
        state.withLock { state in
            guard state.reason == nil else { return false }
            state.committed = true
            return true
        }
    }

    /// Waits for a trigger; returns `nil` when the calling task is cancelled first.
    func wait() async -> AbortReason? {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate = state.withLock { state -> AbortReason?? in
                    if let reason = state.reason { return .some(reason) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }
}
