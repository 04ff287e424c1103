extension SQSOutgoingMessage {
    /// Whether `queueURL` names a FIFO queue (its name ends in `.fifo`).
    public static func isFIFO(_ queueURL: String) -> Bool {
        queueURL.split(separator: "/").last?.hasSuffix(".fifo") == true
    }

    /// This message as sent to `queueURL`: for a FIFO queue with `groupID` (one group per video, so one video's
    /// messages stay in order while different videos run in parallel) and `deduplicationID` (one per send
    /// attempt of one logical message, so SQS drops a repeat of a send whose answer was lost); unchanged for a
    /// standard queue.
    public func addressed(to queueURL: String, groupID: String, deduplicationID: String) -> SQSOutgoingMessage {
        guard Self.isFIFO(queueURL) else { return self }
        var message = self
        message.groupID = groupID
        message.deduplicationID = String(deduplicationID.prefix(128))
        return message
    }
}
