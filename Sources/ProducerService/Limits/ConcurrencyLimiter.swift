import Synchronization

/// Caps how many of something (uploads in progress, open progress streams) one API key and the whole process
/// may hold at once. ``acquire(_:)`` hands out a ``Lease`` that gives its place back when it is released or
/// deallocated, so a place is never lost to an error path or a client that went away.
final class ConcurrencyLimiter: Sendable {
    /// One place held; given back once, by ``release()`` or when the lease is deallocated.
    final class Lease: Sendable {
        private let limiter: ConcurrencyLimiter
        private let key: String
        private let released = Atomic<Bool>(false)

        fileprivate init(limiter: ConcurrencyLimiter, key: String) {
            self.limiter = limiter
            self.key = key
        }

        /// Gives the place back (again: nothing).
        func release() {
            if !released.exchange(true, ordering: .acquiringAndReleasing) { limiter.giveBack(key) }
        }

        deinit { release() }
    }

    /// The most one key may hold.
    let perKey: Int
    /// The most all keys together may hold.
    let total: Int
    private let counts = Mutex<(total: Int, byKey: [String: Int])>((0, [:]))

    init(perKey: Int, total: Int) {
        self.perKey = perKey
        self.total = total
    }

    /// A place for `key`, or `nil` when the key or the process holds the most it may.
    func acquire(_ key: String) -> Lease? {
        let granted = counts.withLock { counts -> Bool in
            let held = counts.byKey[key, default: 0]
            guard held < perKey, counts.total < total else { return false }
            counts.byKey[key] = held + 1
            counts.total += 1
            return true
        }
        return granted ? Lease(limiter: self, key: key) : nil
    }

    /// How many places are held now (all keys, and `key`).
    func held(_ key: String) -> (total: Int, key: Int) {
        counts.withLock { ($0.total, $0.byKey[key, default: 0]) }
    }

    fileprivate func giveBack(_ key: String) {
        counts.withLock { counts in
            let held = counts.byKey[key, default: 0] - 1
            counts.byKey[key] = held > 0 ? held : nil
            counts.total -= 1
        }
    }
}
