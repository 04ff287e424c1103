import Foundation

/// A message received from a queue.
public struct SQSMessage: Sendable, Equatable, Decodable {
    /// The message id SQS assigned.
    public var messageID: String
    /// The handle that deletes the message or changes its visibility (valid for this receive only).
    public var receiptHandle: String
    /// The body.
    public var body: String
    /// The MD5 of the body SQS computed (checked by the client on receipt).
    public var md5OfBody: String
    /// System attributes, e.g. `ApproximateReceiveCount`, `SentTimestamp`.
    public var attributes: [String: String]
    /// The message attributes the sender set.
    public var messageAttributes: [String: SQSMessageAttributeValue]

    enum CodingKeys: String, CodingKey {
        case messageID = "MessageId"
        case receiptHandle = "ReceiptHandle"
        case body = "Body"
        case md5OfBody = "MD5OfBody"
        case attributes = "Attributes"
        case messageAttributes = "MessageAttributes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try container.decode(String.self, forKey: .messageID)
        receiptHandle = try container.decode(String.self, forKey: .receiptHandle)
        body = try container.decode(String.self, forKey: .body)
        md5OfBody = try container.decodeIfPresent(String.self, forKey: .md5OfBody) ?? ""
        attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        messageAttributes = try container.decodeIfPresent([String: SQSMessageAttributeValue].self, forKey: .messageAttributes) ?? [:]
    }

    public init(
        messageID: String, receiptHandle: String, body: String, md5OfBody: String,
        attributes: [String: String] = [:], messageAttributes: [String: SQSMessageAttributeValue] = [:]
    ) {
        self.messageID = messageID
        self.receiptHandle = receiptHandle
        self.body = body
        self.md5OfBody = md5OfBody
        self.attributes = attributes
        self.messageAttributes = messageAttributes
    }

    /// How many times the message has been received (1 on the first delivery).
    public var approximateReceiveCount: Int? { attributes["ApproximateReceiveCount"].flatMap(Int.init) }
    /// When the message was sent.
    public var sentTimestamp: Date? { Self.date(attributes["SentTimestamp"]) }
    /// When the message was first received.
    public var approximateFirstReceiveTimestamp: Date? { Self.date(attributes["ApproximateFirstReceiveTimestamp"]) }

    private static func date(_ milliseconds: String?) -> Date? {
        milliseconds.flatMap(Double.init).map { Date(timeIntervalSince1970: $0 / 1000) }
    }
}

/// A message attribute: a typed value the sender attaches beside the body.
public struct SQSMessageAttributeValue: Sendable, Hashable, Codable {
    /// `String`, `Number` or `Binary` (optionally with a `.custom` suffix).
    public var dataType: String
    /// The value of `String` and `Number` attributes.
    public var stringValue: String?
    /// The value of `Binary` attributes, base64 on the wire.
    public var binaryValue: Data?

    enum CodingKeys: String, CodingKey {
        case dataType = "DataType"
        case stringValue = "StringValue"
        case binaryValue = "BinaryValue"
    }

    public init(dataType: String, stringValue: String? = nil, binaryValue: Data? = nil) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
    }

    /// A `String` attribute.
    public static func string(_ value: String) -> SQSMessageAttributeValue { .init(dataType: "String", stringValue: value) }
    /// A `Number` attribute.
    public static func number(_ value: some Numeric & CustomStringConvertible) -> SQSMessageAttributeValue {
        .init(dataType: "Number", stringValue: value.description)
    }

    /// Bytes this attribute counts toward the message size limit.
    var size: Int { dataType.utf8.count + (stringValue?.utf8.count ?? 0) + (binaryValue?.count ?? 0) }
}
