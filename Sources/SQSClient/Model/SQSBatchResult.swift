/// The outcome of a batch call: which entries succeeded and which failed, each by its index in the input.
///
/// Failures are reported entry by entry, never thrown away: a batch call throws only when the call as a
/// whole failed.
public struct SQSBatchResult<Success: Sendable & Equatable>: Sendable, Equatable {
    /// Successful entries, by input index.
    public var successful: [Int: Success]
    /// Failed entries, by input index.
    public var failed: [Int: SQSBatchFailure]

    public init(successful: [Int: Success] = [:], failed: [Int: SQSBatchFailure] = [:]) {
        self.successful = successful
        self.failed = failed
    }

    /// Whether every entry succeeded.
    public var allSucceeded: Bool { failed.isEmpty }
}

/// Why one entry of a batch failed.
public struct SQSBatchFailure: Sendable, Equatable {
    /// The error code, e.g. `ReceiptHandleIsInvalid`.
    public var code: SQSError.Code
    /// The message.
    public var message: String
    /// Whether the fault is the sender's (retrying the same entry will fail again).
    public var senderFault: Bool

    public init(code: SQSError.Code, message: String, senderFault: Bool) {
        self.code = code
        self.message = message
        self.senderFault = senderFault
    }
}

/// What SQS answers for a sent message.
public struct SQSSendResult: Sendable, Equatable {
    /// The id SQS assigned.
    public var messageID: String
    /// FIFO queues: the sequence number.
    public var sequenceNumber: String?

    public init(messageID: String, sequenceNumber: String? = nil) {
        self.messageID = messageID
        self.sequenceNumber = sequenceNumber
    }
}
