import Synchronization

/// A one-shot gate: `wait()` suspends until `open()` has been called (before or after).
final class Latch: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())

    /// Opens the gate and resumes every waiter.
    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.isOpen else { return [] }
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Waits until the gate opens (not cancellable: used to wait for a child process to be gone).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters[state.nextID] = continuation
                state.nextID += 1
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Waits until the gate opens or `limit` passes; returns whether it opened.
    func wait(upTo limit: Duration) async -> Bool {
        if isOpen { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.wait()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            if !first {
                // Unblock the waiting child so the group can finish.
                self.releaseWaitersWithoutOpening()
            }
            group.cancelAll()
            return first || isOpen
        }
    }

    private func releaseWaitersWithoutOpening() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }
}
