import Foundation

/// A queue message waiting to be sent: written in the same transaction as the record it announces, sent by the
/// producer's outbox loop, and removed by ``VideoStore/outboxSent(entryID:videoID:)``.
public struct OutboxEntry: Sendable, Equatable, Identifiable {
    /// The entry's id.
    public var id: UUID
    /// The video it announces.
    public var videoID: UUID
    /// The SQS message body (a ``VideoCore/QueueMessage``'s JSON).
    public var payload: String
    /// When the entry was written.
    public var createdAt: Date
    /// The entry is due from this time on (pushed forward by each lease and reschedule).
    public var notBefore: Date
    /// How many times the entry was handed out to be sent.
    public var attempts: Int
    /// Why the last send failed, if it did.
    public var lastError: String?

    public init(
        id: UUID, videoID: UUID, payload: String, createdAt: Date, notBefore: Date, attempts: Int,
        lastError: String?
    ) {
        self.id = id
        self.videoID = videoID
        self.payload = payload
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.attempts = attempts
        self.lastError = lastError
    }
}
