import Foundation
import SQSClient
import VideoCore
import VideoStore

/// Sends a record's queue message again as a fresh message — a new receive budget — and makes it the record's
/// current message: what the dead-letter watcher does with a dead-lettered message whose record has attempts
/// left, and what the settlement does after a transient failure on a message's last allowed receive (so a
/// record's failures are counted by its attempts, never by its messages' receives).
///
/// The message is sent first and adopted after (one conditional update: the record still waits or runs under the
/// old message): a sent message the record does not point to is a harmless duplicate, a record pointing to a
/// message never sent would wait forever.
struct MessageResender: Sendable {
    /// The attribute naming the message a resent one replaces.
    static let resentFromAttribute = "videoqueue-resent-from"
    /// SQS's longest per-message delay (seconds).
    static let maximumDelay = 900

    let queue: any JobQueue
    let store: any VideoStore
    /// The jobs queue.
    let queueURL: String

    /// Sends `body` (the message `messageID` of video `videoID`) to the jobs queue again, hidden for `delaySeconds`
    /// (at most 15 minutes; FIFO queues take no per-message delay, so none there). Returns the new message's id.
    /// - Throws: the send's error.
    func send(body: String, replacing messageID: String, videoID: UUID, delaySeconds: Int? = nil) async throws -> String {
        let video = videoID.uuidString.lowercased()
        let delay = SQSOutgoingMessage.isFIFO(queueURL) ? nil : delaySeconds.map { min(Self.maximumDelay, max(0, $0)) }
        let message = SQSOutgoingMessage(
            body: body, delaySeconds: delay,
            attributes: [
                "videoId": .string(video), Self.resentFromAttribute: .string(messageID),
            ]
        ).addressed(to: queueURL, groupID: video, deduplicationID: "resent-" + messageID)
        return try await queue.send(message, to: queueURL).messageID
    }

    /// Makes `new` the current message of `videoID` in place of `current`; `false` when the record changed meanwhile
    /// (final, gone, or under another message): the new message is then a harmless duplicate.
    /// - Throws: the store's error.
    func adopt(videoID: UUID, current: String, new: String) async throws -> Bool {
        try await store.replaceMessageID(id: videoID, current: current, with: new) != nil
    }

    /// ``send(body:replacing:videoID:delaySeconds:)`` then ``adopt(videoID:current:new:)``: the new message's id and
    /// whether the record now points to it.
    func resend(body: String, replacing messageID: String, videoID: UUID, delaySeconds: Int? = nil) async throws
        -> (messageID: String, adopted: Bool)
    {
        let sent = try await send(body: body, replacing: messageID, videoID: videoID, delaySeconds: delaySeconds)
        return (sent, try await adopt(videoID: videoID, current: messageID, new: sent))
    }
}
