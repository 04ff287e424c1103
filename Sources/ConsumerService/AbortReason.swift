/// Why a running job is stopped before its end.
public enum AbortReason: String, Sendable, Equatable {
    /// The record was cancelled by its owner.
    case cancelled
    /// The job ran past ``ConsumerConfiguration/jobTimeout``.
    case timedOut
    /// The message's receipt handle is stale, or a newer attempt claimed the record.
    case lostMessage
    /// The drain timeout of a graceful shutdown passed.
    case shutdown
}
