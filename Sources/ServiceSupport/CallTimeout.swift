/// A call that did not end within its limit (``withTimeout(_:operation:_:)``).
public struct CallTimeoutError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The call ran past its limit and was cancelled.
        case timedOut = "timed_out"
    }

    /// Always ``Code/timedOut``.
    public var code: Code = .timedOut
    /// The operation, e.g. `ReceiveMessage`.
    public var operation: String
    /// The limit it ran past.
    public var limit: Duration

    public init(operation: String, limit: Duration) {
        self.operation = operation
        self.limit = limit
    }

    public var description: String { "\(operation) did not answer within \(limit)" }
}

/// Runs `body`, cancelling it and throwing ``CallTimeoutError`` when it runs longer than `limit`: a bound on
/// any one network call of a loop that must stay alive (a watchdog's loop).
///
/// `body` runs as a child task and is awaited: it returns at the limit only if `body` heeds cancellation (a
/// cancellable sleep, socket or continuation). Returning without it would leave `body` running unseen — a
/// `DeleteMessage` or a database write landing after its caller gave up, and one more stray task per retry of a loop —
/// so a layer that may ignore cancellation is fixed there (the PostgreSQL store's wait for its first RDS IAM token
/// is cancellable and bounded; the token call itself is abandoned at its own limit, which is safe for a call without
/// side effects).
public func withTimeout<T: Sendable>(
    _ limit: Duration, operation: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        guard let value = first else {
            if Task.isCancelled { throw CancellationError() }
            throw CallTimeoutError(operation: operation, limit: limit)
        }
        return value
    }
}
