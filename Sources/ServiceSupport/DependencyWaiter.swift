/// Retries a start-up call to a dependency (a queue, a database, instance credentials) until it answers, with
/// exponential backoff and full jitter (``Backoff``), instead of letting a service die because it started
/// first.
///
/// Errors that retrying cannot fix (a bad setting: ``ConfigurationError`` or whatever `isPermanent` says) are
/// rethrown at once; cancelling the calling task ends the wait with `CancellationError`.
///
/// ```swift
/// let settings = try await DependencyWaiter().wait(for: "SQS", onFailure: { failure in
///     notifier.status("waiting for SQS: \(failure.error)")
/// }) { try await sqs.attributes(of: queueURL, names: ["RedrivePolicy"]) }
/// ```
public struct DependencyWaiter: Sendable {
    /// One failed attempt, as ``wait(for:isPermanent:onFailure:_:)`` reports it before sleeping.
    public struct Failure: Sendable {
        /// The dependency's name (`SQS`, `the database`).
        public var dependency: String
        /// What the attempt threw.
        public var error: any Error
        /// 1 for the first failure.
        public var attempt: Int
        /// How long the waiter sleeps before the next attempt.
        public var retryIn: Duration

        /// `waiting for SQS: <error>` (one line, at most 300 characters of the error).
        public var status: String {
            let reason = String("\(error)".prefix(300)).replacingOccurrences(of: "\n", with: " ")
            return "waiting for \(dependency): \(reason)"
        }
    }

    /// The waits between attempts.
    public var backoff: Backoff
    /// The shortest wait (full jitter may pick 0, which would hammer a dependency that is coming up).
    public var minimumDelay: Duration

    /// A waiter whose waits grow from `base` to `cap`.
    public init(backoff: Backoff = Backoff(base: .milliseconds(500), cap: .seconds(30)), minimumDelay: Duration = .milliseconds(100)) {
        self.backoff = backoff
        self.minimumDelay = minimumDelay
    }

    /// Calls `operation` until it returns.
    /// - Parameters:
    ///   - dependency: the name used in ``Failure/status``.
    ///   - isPermanent: errors to rethrow at once besides ``ConfigurationError``.
    ///   - onFailure: called after each failed attempt, before the wait (report readiness, log).
    public func wait<T: Sendable>(
        for dependency: String, isPermanent: @Sendable (any Error) -> Bool = { _ in false },
        onFailure: (Failure) -> Void,
        _ operation: () async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            try Task.checkCancellation()
            do {
                return try await operation()
            } catch {
                if error is CancellationError, Task.isCancelled { throw error }
                if error is ConfigurationError || isPermanent(error) { throw error }
                attempt += 1
                let delay = max(minimumDelay, backoff.delay(afterAttempt: attempt))
                onFailure(Failure(dependency: dependency, error: error, attempt: attempt, retryIn: delay))
                try await Task.sleep(for: delay)
            }
        }
    }
}
