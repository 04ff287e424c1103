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
/// | failed transiently, the last receive the redrive policy allows | failed with its code | ignored | visible at once (SQS moves it to the DLQ) | `failed` |
/// | failed transiently | released | ignored | invisible for the backoff | `retried` |
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
    /// The delay before a transient failure's message comes back.
    var backoff: RedeliveryBackoff

    /// The first action for a run that ended with `ending`, its message received `receiveCount` times, under a
    /// job timeout of `timeout`.
    func settle<G: RandomNumberGenerator>(_ ending: JobEnding, receiveCount: Int, timeout: Duration,
                                          using generator: inout G) -> Action {
        switch ending {
        case .aborted(.cancelled):
            return Action(record: .none, message: .delete, outcome: .cancelled, level: .info,
                          note: "record cancelled while processing: FFmpeg stopped, scratch removed")
        case .aborted(.timedOut):
            let failure = VideoFailure(code: "job_timeout", message: "the job ran longer than its timeout, \(timeout), and was stopped")
            return Action(record: .write(.fail(failure), inspectIfRefused: false), message: .delete, outcome: .timedOut, level: .warning,
                          note: "job timed out: record failed")
        case .aborted(.lostMessage):
            return Action(record: .write(.release, inspectIfRefused: false), message: .leave, outcome: .abandoned, level: .warning,
                          note: "message lost to another consumer: job abandoned without writing results")
        case .aborted(.shutdown), .interrupted:
            return Action(record: .write(.release, inspectIfRefused: false), message: .setVisibility(seconds: 0), outcome: .released,
                          level: .info, note: "handing the job back: record released, message visible again")
        case .completed:
            // The exact words Benchmarks/chaos.py counts completions by.
            return Action(record: .none, message: .delete, outcome: .completed, level: .info, note: "job completed")
        case .completionRefused:
            return Action(record: .inspect, message: .leave, outcome: .abandoned, level: .info, note: "completion refused: reading the record")
        case .failed(.permanent(let failure)):
            return Action(record: .write(.fail(failure), inspectIfRefused: true), message: .delete, outcome: .failed, level: .warning,
                          note: "job failed permanently (\(failure.code)): \(failure.message)")
        case .failed(.transient(let reason, let code)):
            if let maximumReceiveCount, receiveCount >= maximumReceiveCount {
                // SQS moves the message to the DLQ on its next receive: fail the record now so it does not stay queued
                // forever. The message is left to SQS, visible at once, as evidence in the DLQ.
                let failure = VideoFailure(code: code, message: "gave up after \(receiveCount) attempts; the last error was transient: \(reason)")
                return Action(record: .write(.fail(failure), inspectIfRefused: false), message: .setVisibility(seconds: 0), outcome: .failed,
                              level: .error, note: "transient failure on the last allowed receive: record failed (\(reason))")
            }
            let delay = backoff.delay(receiveCount: receiveCount, using: &generator)
            return Action(record: .write(.release, inspectIfRefused: false), message: .setVisibility(seconds: delay), outcome: .retried,
                          level: .warning, note: "transient failure: the message comes back in \(delay) s (\(reason))")
        }
    }

    /// ``settle(_:receiveCount:timeout:using:)`` with the system's generator.
    func settle(_ ending: JobEnding, receiveCount: Int, timeout: Duration) -> Action {
        var generator = SystemRandomNumberGenerator()
        return settle(ending, receiveCount: receiveCount, timeout: timeout, using: &generator)
    }

    /// The action after the store refused a write, given the record's status now (`nil`: the record is gone).
    func afterRefusal(recordStatus: VideoStatus?) -> Action {
        guard let status = recordStatus, status != .cancelled else {
            return Action(record: .none, message: .delete, outcome: .cancelled, level: .info,
                          note: "record cancelled or deleted meanwhile: deleting the message")
        }
        return Action(record: .none, message: .leave, outcome: .abandoned, level: .warning,
                      note: "a newer attempt owns the record (\(status.rawValue)): results not published")
    }

    /// The action when the store cannot be told how the job ended: the message comes back after the backoff and the
    /// record is taken over then.
    func storeUnavailable<G: RandomNumberGenerator>(receiveCount: Int, using generator: inout G) -> Action {
        Action(record: .none, message: .setVisibility(seconds: backoff.delay(receiveCount: receiveCount, using: &generator)),
               outcome: .retried, level: .error, note: "cannot record the job's end: the message will come back")
    }

    /// ``storeUnavailable(receiveCount:using:)`` with the system's generator.
    func storeUnavailable(receiveCount: Int) -> Action {
        var generator = SystemRandomNumberGenerator()
        return storeUnavailable(receiveCount: receiveCount, using: &generator)
    }
}
