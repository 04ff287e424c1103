import Synchronization
import VideoCore

/// When a running job times out: ``JobTimeoutPolicy/floor`` after it started until its source is probed, then
/// the policy's timeout for the source's duration and what the job encodes (``fit(duration:workload:)``).
///
/// The job's work finds its deadline as ``current`` (a task-local the handler binds around it), so the media
/// code only needs to report the probed duration.
final class JobDeadline: Sendable {
    /// The deadline of the job running in this task, if any.
    @TaskLocal static var current: JobDeadline?

    let start: ContinuousClock.Instant
    let policy: JobTimeoutPolicy
    private let timeoutValue: Mutex<Duration>

    init(start: ContinuousClock.Instant = .now, policy: JobTimeoutPolicy) {
        self.start = start
        self.policy = policy
        timeoutValue = Mutex(policy.floor)
    }

    /// The job's timeout as it stands.
    var timeout: Duration { timeoutValue.withLock { $0 } }

    /// Sets the timeout for a probed source of `duration` seconds running `workload` (never shorter than before).
    func fit(duration: Double?, workload: JobTimeoutPolicy.Workload) {
        let fitted = policy.timeout(duration: duration, workload: workload)
        timeoutValue.withLock { $0 = max($0, fitted) }
    }

    /// Returns once the deadline (as it stands when it comes) has passed; throws `CancellationError` when cancelled.
    func waitUntilPassed() async throws {
        while true {
            let deadline = start + timeout
            if ContinuousClock.now >= deadline { return }
            try await Task.sleep(until: deadline, clock: .continuous)
        }
    }
}
