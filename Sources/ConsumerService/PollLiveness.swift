import ServiceSupport
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

extension PollLiveness {
    /// The long-poll wait (seconds) the poll loop uses under a systemd watchdog of `watchdog` (`WATCHDOG_USEC`; `nil`:
    /// none): the configured one when a receive's bound — the wait plus `callTimeout` — stays within half the
    /// watchdog interval, otherwise the longest wait that does (a hung receive must be noticed, and the watchdog left
    /// unfed, well before systemd's deadline). `clamped` says the configured wait was shortened.
    /// - Throws: `ConfigurationError` naming `VIDEOQUEUE_SQS_CALL_TIMEOUT` when the call timeout alone reaches half
    ///   the watchdog interval: no wait fits.
    static func waitTime(configured: Int, callTimeout: Duration, watchdog: Duration?) throws -> (seconds: Int, clamped: Bool) {
        guard let watchdog else { return (configured, false) }
        let budget = watchdog / 2
        if .seconds(configured) + callTimeout <= budget { return (configured, false) }
        guard callTimeout < budget else {
            throw ConfigurationError(
                setting: "VIDEOQUEUE_SQS_CALL_TIMEOUT",
                message: """
                    \(callTimeout) cannot work with the systemd watchdog (WATCHDOG_USEC, the unit's WatchdogSec: \(watchdog)): a \
                    receive's bound, VIDEOQUEUE_WAIT_TIME + VIDEOQUEUE_SQS_CALL_TIMEOUT, must stay within half of it \
                    (\(budget)); lower VIDEOQUEUE_SQS_CALL_TIMEOUT or raise WatchdogSec
                    """)
        }
        let seconds = max(0, min(configured, Int((budget - callTimeout).seconds.rounded(.down))))
        return (seconds, true)
    }
}
