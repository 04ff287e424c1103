/// A message to send.
public struct SQSOutgoingMessage: Sendable, Hashable {
    /// The body (at most 256 KiB with its attributes).
    public var body: String
    /// Seconds the message stays invisible after sending (0…900).
    public var delaySeconds: Int?
    /// Typed values beside the body.
    public var attributes: [String: SQSMessageAttributeValue]
    /// FIFO queues: the ordering group.
    public var groupID: String?
    /// FIFO queues: the deduplication id.
    public var deduplicationID: String?

    public init(
        body: String, delaySeconds: Int? = nil, attributes: [String: SQSMessageAttributeValue] = [:],
        groupID: String? = nil, deduplicationID: String? = nil
    ) {
        self.body = body
        self.delaySeconds = delaySeconds
        self.attributes = attributes
        self.groupID = groupID
        self.deduplicationID = deduplicationID
    }

    /// Bytes counted against SQS's message size limit: the body and the attributes' names, types and values.
    public var size: Int {
        body.utf8.count + attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.size }
    }
}
