import Foundation
import VideoCore

/// What a consumer does with a received message, given its record: the claim and takeover rule as a value,
/// without I/O (``MessageHandler`` reads the record, asks ``decide(_:)`` and carries the action out).
///
/// | record | message | action |
/// | --- | --- | --- |
/// | gone | any | ``Action/delete(_:)`` (`no_record`) |
/// | `completed`, `cancelled`, `failed` | any | ``Action/delete(_:)`` (`final`): a retry sends a new message |
/// | `pending`, `queued` | any | ``Action/claim`` |
/// | `processing` | the record's current message (its id, stored by the claim) | ``Action/takeOver(previousAttempt:reason:)`` (`current_message`): its holder lost it (died, or stopped extending it) |
/// | `processing`, no progress for longer than the visibility timeout | another message | ``Action/takeOver(previousAttempt:reason:)`` (`stalled`) |
/// | `processing`, progressing | another message (a duplicate) | ``Action/leaveInvisible(seconds:)``: hidden while the record runs, deleted once it is final |
///
/// A duplicate never takes a progressing record over, so no running FFmpeg is killed by one. It is hidden for
/// the longest of the visibility timeout, the redelivery backoff's ceiling for its receive count and the
/// record's estimated time left, at most SQS's 12 hours.
struct ClaimDecision: Sendable, Equatable {
    /// What the handler must do.
    enum Action: Sendable, Equatable {
        /// Claim the record (`queued | pending → processing`, attempts + 1) and run the job.
        case claim
        /// Fence the running attempt out (release it, then claim) and run the job.
        case takeOver(previousAttempt: Int, reason: TakeoverReason)
        /// Leave the record to its holder; make the message invisible for `seconds`.
        case leaveInvisible(seconds: Int)
        /// Delete the message without work.
        case delete(DeleteReason)
    }

    /// Why a `processing` record is taken over.
    enum TakeoverReason: String, Sendable, Equatable {
        /// The message is the record's current one: its holder no longer keeps it invisible.
        case currentMessage = "current_message"
        /// The record has not changed for longer than the visibility timeout: its holder stopped.
        case stalled
    }

    /// Why a message is deleted without work.
    enum DeleteReason: Sendable, Equatable {
        /// The record does not exist (deleted through the API).
        case noRecord
        /// The record is `completed`, `cancelled` or `failed`.
        case final(VideoStatus)
    }

    /// What the decision needs of the record.
    struct RecordState: Sendable, Equatable {
        var status: VideoStatus
        var attempts: Int
        /// The SQS MessageId of the message the record was last queued or claimed with.
        var messageID: String?
        /// When the record last changed (progress writes and the holder's keep-alive included).
        var updatedAt: Date
        /// The holder's estimate of the time left, seconds.
        var etaSeconds: Double?

        init(status: VideoStatus, attempts: Int, messageID: String?, updatedAt: Date, etaSeconds: Double? = nil) {
            self.status = status
            self.attempts = attempts
            self.messageID = messageID
            self.updatedAt = updatedAt
            self.etaSeconds = etaSeconds
        }

        init(_ record: VideoRecord) {
            self.init(
                status: record.status, attempts: record.attempts, messageID: record.messageID, updatedAt: record.updatedAt,
                etaSeconds: record.etaSeconds)
        }
    }

    /// One received message and what is known when it arrives.
    struct Event: Sendable, Equatable {
        /// The record (`nil`: none).
        var record: RecordState?
        /// The message's SQS MessageId.
        var messageID: String
        /// Its `ApproximateReceiveCount` (1 on the first receive).
        var receiveCount: Int
        /// The clock.
        var now: Date
    }

    /// The visibility timeout in seconds: how long a holder may go without changing its record.
    var visibilityTimeout: Int
    /// The redelivery backoff, whose ceiling for the receive count bounds how long a duplicate is hidden below.
    var backoff: RedeliveryBackoff

    /// SQS's largest visibility timeout.
    static let maximumVisibility = 43_200

    /// The action for `event`.
    func decide(_ event: Event) -> Action {
        guard let record = event.record else { return .delete(.noRecord) }
        switch record.status {
        case .completed, .cancelled, .failed:
            return .delete(.final(record.status))
        case .pending, .queued:
            return .claim
        case .processing:
            if let current = record.messageID, current == event.messageID {
                return .takeOver(previousAttempt: record.attempts, reason: .currentMessage)
            }
            if event.now.timeIntervalSince(record.updatedAt) > Double(visibilityTimeout) {
                return .takeOver(previousAttempt: record.attempts, reason: .stalled)
            }
            return .leaveInvisible(seconds: duplicateVisibility(receiveCount: event.receiveCount, record: record))
        }
    }

    /// How long a duplicate of a running record stays hidden.
    func duplicateVisibility(receiveCount: Int, record: RecordState) -> Int {
        let eta = record.etaSeconds.flatMap { $0.isFinite && $0 > 0 ? Int(min($0, Double(Self.maximumVisibility)).rounded(.up)) : nil } ?? 0
        return min(Self.maximumVisibility, max(visibilityTimeout, backoff.ceiling(receiveCount: receiveCount), eta))
    }
}
