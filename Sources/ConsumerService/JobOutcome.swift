/// What handling one message ended in. The `rawValue` is the `outcome` label of the jobs metric and the
/// word `consumer run --once` prints.
public enum JobOutcome: String, Sendable, Equatable, CaseIterable {
    /// Processed: outputs uploaded, record `completed`, message deleted.
    case completed
    /// The record was already `completed`, `cancelled` or `failed`, or is gone: message deleted without work.
    case skipped
    /// Another consumer holds the record: the message was left alone (it comes back if that consumer dies).
    case leftToOwner = "left_to_owner"
    /// The message could not be decoded: sent to the dead-letter queue with the reason, original deleted.
    case deadLettered = "dead_lettered"
    /// A permanent error: record `failed` with a code and message, message deleted.
    case failed
    /// A transient error: record released, the message comes back after a backoff.
    case retried
    /// The record was cancelled while the job ran: FFmpeg killed, scratch removed, message deleted.
    case cancelled
    /// The job ran past the job timeout: FFmpeg killed, record `failed`, message deleted.
    case timedOut = "timed_out"
    /// The message's receipt handle went stale (another consumer received it): the job was abandoned
    /// without writing results.
    case abandoned
    /// Shutdown came before the job could finish: record released, message visible again at once.
    case released
}

extension JobOutcome {
    /// The exit status of `consumer run --once` after handling one message:
    ///
    /// | status | meaning |
    /// | --- | --- |
    /// | 0 | completed |
    /// | 2 | no message arrived within the wait time (``ConsumerExitCode/noMessage``) |
    /// | 3 | skipped: the record was already final or gone; message deleted |
    /// | 4 | failed permanently: record failed, message deleted (or left to the DLQ on the last receive) |
    /// | 5 | transient failure: record released, the message comes back after a backoff |
    /// | 6 | undecodable message moved to the dead-letter queue |
    /// | 7 | cancelled by its owner while processing |
    /// | 8 | job timeout: record failed |
    /// | 9 | another consumer holds the record or the message: nothing written |
    /// | 10 | handed back by a shutdown |
    public var exitCode: Int32 {
        switch self {
        case .completed: 0
        case .skipped: 3
        case .failed: 4
        case .retried: 5
        case .deadLettered: 6
        case .cancelled: 7
        case .timedOut: 8
        case .leftToOwner, .abandoned: 9
        case .released: 10
        }
    }
}
