import Synchronization

/// The poll loop's promise to come back: before each step that waits (a long poll, a wait for a free slot, a
/// backoff, a dependency at start-up, the drain) the loop says by when it will be round again; the loop counts
/// as alive until that moment has passed.
///
/// The systemd watchdog is fed from a timer that asks ``isAlive(at:)``, so it is fed while the loop waits on
/// I/O that is bounded (every SQS call in the loop has a per-call timeout), and it stops being fed as soon as
/// the loop overstays a promise, however it hangs.
final class PollLiveness: Sendable {
    private struct State {
        var lastRound: ContinuousClock.Instant?
        var deadline: ContinuousClock.Instant?
    }

    /// Added to every promise: the loop's own work between two waits.
    let slack: Duration
    private let state = Mutex(State())

    init(slack: Duration = .seconds(5)) {
        self.slack = slack
    }

    /// The loop went round at `now` and will be back within `duration` (plus ``slack``).
    func expect(within duration: Duration, now: ContinuousClock.Instant = .now) {
        state.withLock {
            $0.lastRound = now
            $0.deadline = now + duration + slack
        }
    }

    /// When the loop last went round (`nil`: never).
    var lastRound: ContinuousClock.Instant? { state.withLock { $0.lastRound } }

    /// Whether the loop made a promise that has not run out at `now`.
    func isAlive(at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in state.deadline.map { now <= $0 } ?? false }
    }

    /// How long ago the last promise ran out (`nil`: alive, or never started).
    func overdue(at now: ContinuousClock.Instant = .now) -> Duration? {
        state.withLock { state in state.deadline.flatMap { now > $0 ? now - $0 : nil } }
    }
}
