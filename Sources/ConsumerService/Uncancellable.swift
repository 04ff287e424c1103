/// Runs `operation` in a task of its own that the caller's cancellation does not reach, and waits for it.
///
/// For the bookkeeping that must happen even when the consumer is being torn down: releasing a record,
/// handing a message back, deleting a finished message.
func uncancellable<T: Sendable>(_ operation: @escaping @Sendable () async -> T) async -> T {
    await Task { await operation() }.value
}
