import AWSClientRuntime
import NIOHTTP1

/// An error answered by SQS, or a check of ours on its answer that failed.
///
/// ``code`` is the AWS error code without the `com.amazonaws.sqs#` prefix of the JSON protocol, so
/// `QueueDoesNotExist` matches whichever form the service sent.
public struct SQSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An SQS error code.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = AWSErrorDetails.normalizedCode(rawValue) }
        public init(stringLiteral value: String) { self.init(rawValue: value) }
        public var description: String { rawValue }

        public static let queueDoesNotExist: Code = "QueueDoesNotExist"
        public static let receiptHandleIsInvalid: Code = "ReceiptHandleIsInvalid"
        public static let invalidParameterValue: Code = "InvalidParameterValue"
        public static let missingParameter: Code = "MissingParameter"
        public static let batchEntryIdsNotDistinct: Code = "BatchEntryIdsNotDistinct"
        public static let emptyBatchRequest: Code = "EmptyBatchRequest"
        public static let tooManyEntriesInBatchRequest: Code = "TooManyEntriesInBatchRequest"
        public static let messageNotInflight: Code = "MessageNotInflight"
        public static let purgeQueueInProgress: Code = "PurgeQueueInProgress"
        public static let queueNameExists: Code = "QueueNameExists"
        public static let signatureDoesNotMatch: Code = "SignatureDoesNotMatch"
        public static let invalidClientTokenId: Code = "InvalidClientTokenId"
        public static let accessDenied: Code = "AccessDenied"
        /// Ours: the body's MD5 does not match what SQS computed (the message was corrupted on the way).
        public static let checksumMismatch: Code = "ChecksumMismatch"
        /// Ours: a message body or batch is larger than SQS accepts.
        public static let messageTooLarge: Code = "MessageTooLarge"
        /// Ours: the answer is not the JSON SQS sends.
        public static let invalidResponse: Code = "InvalidResponse"
    }

    /// The error code.
    public var code: Code
    /// The service's (or our) message.
    public var message: String
    /// The request id, when SQS answered.
    public var requestID: String?
    /// The HTTP status, when SQS answered.
    public var statusCode: Int?

    public init(code: Code, message: String, requestID: String? = nil, statusCode: Int? = nil) {
        self.code = code
        self.message = message
        self.requestID = requestID
        self.statusCode = statusCode
    }

    init(_ details: AWSErrorDetails, status: HTTPResponseStatus) {
        self.init(code: Code(rawValue: details.code), message: details.message, requestID: details.requestID, statusCode: Int(status.code))
    }

    public var description: String {
        var text = "SQS \(code): \(message)"
        if let statusCode { text += " (HTTP \(statusCode)" + (requestID.map { ", request id \($0))" } ?? ")") }
        return text
    }
}
