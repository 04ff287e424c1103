import AWSClientRuntime
import Foundation
import ServiceLifecycle
import ServiceSupport
import VideoStore

extension ConsumerService {
    /// Waits for the database (its migrations) and the queue (its redrive settings), each retried with
    /// exponential backoff and jitter up to ``ConsumerConfiguration/dependencyRetryMaximumDelay`` for as long as
    /// it takes; `/readyz` and `STATUS=` say what is awaited and why. Returns `nil` when a graceful shutdown
    /// comes first. Throws only errors no retry can fix (``ConsumerExitCode/isConfigurationError(_:)``).
    func waitForDependencies() async throws -> QueueSettings? {
        let waiter = DependencyWaiter(backoff: Backoff(base: .milliseconds(500), cap: configuration.dependencyRetryMaximumDelay))
        let callLimit = configuration.sqsCallTimeout
        do {
            try await cancelWhenGracefulShutdown { [self] in
                try await waiter.wait(
                    for: "the database", isPermanent: ConsumerExitCode.isConfigurationError,
                    onFailure: reportWaiting
                ) {
                    self.liveness.expect(within: callLimit)
                    try await withTimeout(callLimit, operation: "database migrations") { [store] in try await store.migrate() }
                }
            }
            let settings = try await cancelWhenGracefulShutdown { [self] in
                try await waiter.wait(for: "SQS", isPermanent: ConsumerExitCode.isConfigurationError, onFailure: reportWaiting) {
                    self.liveness.expect(within: callLimit * 2)
                    return try await withTimeout(callLimit * 2, operation: "GetQueueAttributes") { try await self.queueSettings() }
                }
            }
            try FileManager.default.createDirectory(atPath: configuration.scratchDirectory, withIntermediateDirectories: true)
            // What a consumer that died mid-job left in the scratch directory (no running job holds its lock).
            let stale = ScratchDirectory.removeStale(in: URL(fileURLWithPath: configuration.scratchDirectory, isDirectory: true))
            if stale > 0 { logger.info("stale scratch entries removed", metadata: ["count": "\(stale)"]) }
            state.withLock { $0.waitingFor = nil }
            return settings
        } catch is CancellationError where Task.isShuttingDownGracefully || Task.isCancelled {
            return nil
        }
    }

    private func reportWaiting(_ failure: DependencyWaiter.Failure) {
        let status = failure.status
        state.withLock { $0.waitingFor = status }
        liveness.expect(within: failure.retryIn)
        notifier.status(status)
        logger.warning(
            "dependency not available: retrying",
            metadata: [
                "dependency": "\(failure.dependency)", "attempt": "\(failure.attempt)", "retry_in": "\(failure.retryIn)",
                "error": "\(failure.error)",
            ])
    }

    /// Sends `WATCHDOG=1` every quarter of `WATCHDOG_USEC` (every second without it) while the poll loop keeps
    /// its promises (``PollLiveness``); a loop that overstays one is no longer vouched for, and systemd restarts
    /// the service when the watchdog interval passes.
    func feedWatchdog() async {
        let period = notifier.watchdogInterval.map { max(.milliseconds(100), $0 / 4) } ?? .seconds(1)
        var warned = false
        while !Task.isCancelled {
            if liveness.isAlive() {
                notifier.watchdog()
                warned = false
            } else if !warned, let overdue = liveness.overdue() {
                logger.error("the poll loop overstayed its last wait: the watchdog is no longer fed", metadata: ["overdue": "\(overdue)"])
                warned = true
            }
            do {
                try await Task.sleep(for: period)
            } catch {
                return
            }
        }
    }
}
