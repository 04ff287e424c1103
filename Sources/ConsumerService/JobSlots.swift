import Synchronization

/// The consumer's job slots: how many jobs run, and a wait for one to free up.
///
/// The receive loop asks SQS for at most ``free`` messages, so no received message waits in memory for a
/// slot while its visibility timeout runs.
final class JobSlots: Sendable {
    private struct State {
        var running = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    /// The number of slots.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Slots not in use.
    var free: Int { state.withLock { capacity - $0.running } }
    /// Slots in use.
    var running: Int { state.withLock { $0.running } }

    /// Takes `count` slots (the caller checked ``free``).
    func acquire(_ count: Int = 1) {
        state.withLock { $0.running += count }
    }

    /// Gives a slot back and wakes the waiters.
    func release() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running = max(0, state.running - 1)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when at least `count` slots are free (at most ``capacity``), or when the calling task is cancelled.
    func waitForFreeSlots(_ count: Int) async {
        let needed = min(count, capacity)
        await waitUntil { self.capacity - $0 >= needed }
    }

    /// Returns when no job runs, or when the calling task is cancelled.
    func waitUntilIdle() async {
        await waitUntil { $0 == 0 }
    }

    private func waitUntil(_ condition: @escaping @Sendable (Int) -> Bool) async {
        while !Task.isCancelled {
            let id = state.withLock { state in
                state.nextWaiter += 1
                return state.nextWaiter
            }
            var satisfied = false
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Bool in
                        if condition(state.running) || Task.isCancelled { return true }
                        state.waiters[id] = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume()
            }
            satisfied = state.withLock { condition($0.running) }
            if satisfied { return }
        }
    }
}
