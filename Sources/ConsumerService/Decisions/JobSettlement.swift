import Logging
import VideoCore

/// How a claimed job is settled — what is written to the record, what happens to the message, and the
/// ``JobOutcome`` — as a value without I/O: ``MessageHandler`` feeds it events and carries its actions out.
///
/// | ending | record | if the write is refused | message | outcome |
/// | --- | --- | --- | --- | --- |
/// | aborted: cancelled | — | — | deleted | `cancelled` |
/// | aborted: timed out | failed `job_timeout` | ignored | deleted | `timed_out` |
/// | aborted: message lost | released | ignored | left to its new holder | `abandoned` |
/// | aborted: shutdown; interrupted | released | ignored | visible at once | `released` |
/// | completed | (completed by the work) | — | deleted | `completed` |
/// | completion refused | — | inspect the record | see below | |
/// | failed permanently | failed with its code | inspect the record | deleted | `failed` |
/// | failed transiently, no attempt left (attempts ≥ ``maximumAttempts``) | failed with its code | inspect the record | deleted | `failed` |
/// | failed transiently, attempts left, the last receive the redrive policy allows | released | inspect the record | sent again as a fresh message hidden for the backoff, then deleted | `retried` |
/// | failed transiently, attempts left | released | ignored | invisible for the backoff | `retried` |
///
/// A record's transient failures are counted by its attempts (claims), never by its messages' receives: a
/// message's last receive is no reason to give up while the record has attempts left — its message is sent again
/// (``MessageResender``, what the dead-letter watcher does) with a new receive budget.
///
/// After a refused write the record decides: gone or `cancelled` → message deleted, `cancelled`; otherwise a
/// newer attempt owns it → message left, `abandoned`. When the store cannot be reached at all the message is
/// left invisible for the backoff and comes back (`retried`); the record is taken over then.
struct JobSettlement: Sendable, Equatable {
    /// A write to the record, fenced by the attempt.
    enum RecordWrite: Sendable, Equatable {
        /// `processing → failed` with this failure.
        case fail(VideoFailure)
        /// `processing → queued`, so another attempt can claim it.
        case release
    }

    /// What touches the record first.
    enum RecordStep: Sendable, Equatable {
        /// Nothing.
        case none
        /// Write; when the store refuses the write (stale attempt, cancelled record) and `inspectIfRefused`,
        /// read the record and ask ``afterRefusal(recordStatus:)``.
        case write(RecordWrite, inspectIfRefused: Bool)
        /// Read the record and ask ``afterRefusal(recordStatus:)``.
        case inspect
    }

    /// What happens to the message after the record step.
    enum MessageStep: Sendable, Equatable {
        /// Delete it (batched).
        case delete
        /// Set its visibility timeout to this many seconds (0: visible at once).
        case setVisibility(seconds: Int)
        /// Send it again to the jobs queue as a fresh message hidden for `delaySeconds` (a new receive budget), make
        /// that the record's current message, and delete this one; when the send fails, hide this one for
        /// `delaySeconds` instead (it reaches the DLQ on its next receive and the dead-letter watcher sends it again).
        case sendAgain(delaySeconds: Int)
        /// Leave it alone.
        case leave
    }

    /// One step of the settlement.
    struct Action: Sendable, Equatable {
        var record: RecordStep
        var message: MessageStep
        var outcome: JobOutcome
        /// What to log, and how loudly.
        var level: Logger.Level
        var note: String
    }

    /// The receive count at which SQS moves the message to the dead-letter queue (`nil`: no redrive policy).
    var maximumReceiveCount: Int?
    /// How many attempts (claims) a record may have: a transient failure of the last one fails it
    /// (`VIDEOQUEUE_MAX_ATTEMPTS`).
    var maximumAttempts: Int
    /// The delay before a transient failure's message comes back.
    var backoff: RedeliveryBackoff

    /// The first action for a run that ended with `ending`, its message received `receiveCount` times, the record
    /// claimed `attempts` times (this run's attempt included), under a job timeout of `timeout`.
    func settle<G: RandomNumberGenerator>(
        _ ending: JobEnding, receiveCount: Int, attempts: Int, timeout: Duration,
        using generator: inout G
    ) -> Action {
        switch ending {
        case .aborted(.cancelled):
            return Action(
                record: .none, message: .delete, outcome: .cancelled, level: .info,
                note: "record cancelled while processing: FFmpeg stopped, scratch removed")
        case .aborted(.timedOut):
            let failure = VideoFailure(code: "job_timeout", message: "the job ran longer than its timeout, \(timeout), and was stopped")
            return Action(
                record: .write(.fail(failure), inspectIfRefused: false), message: .delete, outcome: .timedOut, level: .warning,
                note: "job timed out: record failed")
        case .aborted(.lostMessage):
            return Action(
                record: .write(.release, inspectIfRefused: false), message: .leave, outcome: .abandoned, level: .warning,
                note: "message lost to another consumer: job abandoned without writing results")
        case .aborted(.shutdown), .interrupted:
            return Action(
                record: .write(.release, inspectIfRefused: false), message: .setVisibility(seconds: 0), outcome: .released,
                level: .info, note: "handing the job back: record released, message visible again")
        case .completed:
            // The exact words Benchmarks/chaos.py counts completions by.
            return Action(record: .none, message: .delete, outcome: .completed, level: .info, note: "job completed")
        case .completionRefused:
            return Action(record: .inspect, message: .leave, outcome: .abandoned, level: .info, note: "completion refused: reading the record")
        case .failed(.permanent(let failure)):
            return Action(
                record: .write(.fail(failure), inspectIfRefused: true), message: .delete, outcome: .failed, level: .warning,
                note: "job failed permanently (\(failure.code)): \(failure.message)")
        case .failed(.transient(let reason, let code)):
            if attempts >= maximumAttempts {
                // No attempt left: the record carries the failure, the message has nothing left to do.
                let failure = VideoFailure(
                    code: code,
                    message: """
                        gave up after \(attempts) attempt\(attempts == 1 ? "" : "s") (at most \(maximumAttempts)); \
                        the last error was transient: \(reason)
                        """)
                return Action(
                    record: .write(.fail(failure), inspectIfRefused: true), message: .delete, outcome: .failed, level: .error,
                    note: "transient failure on the last allowed attempt: record failed (\(reason))")
            }
            let delay = backoff.delay(receiveCount: receiveCount, using: &generator)
            if let maximumReceiveCount, receiveCount >= maximumReceiveCount {
                // SQS would move the message to the DLQ on its next receive although the record has attempts left: a
                // fresh message (a new receive budget) carries the retry instead.
                return Action(
                    record: .write(.release, inspectIfRefused: true), message: .sendAgain(delaySeconds: delay), outcome: .retried,
                    level: .warning,
                    note: """
                        transient failure on the message's last allowed receive, attempt \(attempts) of \(maximumAttempts): \
                        sent again as a fresh message, back in \(delay) s (\(reason))
                        """)
            }
            return Action(
                record: .write(.release, inspectIfRefused: false), message: .setVisibility(seconds: delay), outcome: .retried,
                level: .warning, note: "transient failure: the message comes back in \(delay) s (\(reason))")
        }
    }

    /// ``settle(_:receiveCount:attempts:timeout:using:)`` with the system's generator.
    func settle(_ ending: JobEnding, receiveCount: Int, attempts: Int, timeout: Duration) -> Action {
        var generator = SystemRandomNumberGenerator()
        return settle(ending, receiveCount: receiveCount, attempts: attempts, timeout: timeout, using: &generator)
    }

    /// The action after the store refused a write, given the record's status now (`nil`: the record is gone).
    func afterRefusal(recordStatus: VideoStatus?) -> Action {
        guard let status = recordStatus, status != .cancelled else {
            return Action(
                record: .none, message: .delete, outcome: .cancelled, level: .info,
                note: "record cancelled or deleted meanwhile: deleting the message")
        }
        return Action(
            record: .none, message: .leave, outcome: .abandoned, level: .warning,
            note: "a newer attempt owns the record (\(status.rawValue)): results not published")
    }

    /// The action when the store cannot be told how the job ended: the message comes back after the backoff and the
    /// record is taken over then.
    func storeUnavailable<G: RandomNumberGenerator>(receiveCount: Int, using generator: inout G) -> Action {
        Action(
            record: .none, message: .setVisibility(seconds: backoff.delay(receiveCount: receiveCount, using: &generator)),
            outcome: .retried, level: .error, note: "cannot record the job's end: the message will come back")
    }

    /// ``storeUnavailable(receiveCount:using:)`` with the system's generator.
    func storeUnavailable(receiveCount: Int) -> Action {
        var generator = SystemRandomNumberGenerator()
        return storeUnavailable(receiveCount: receiveCount, using: &generator)
    }
}
