/// Why a queue message could not be encoded or decoded.
///
/// The consumer sends an undecodable message to the dead-letter queue with ``description`` as the reason.
public struct QueueMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not JSON, not UTF-8, or not a JSON object.
        public static let malformedJSON = Code(rawValue: "malformedJSON")
        /// A `version` this build does not read.
        public static let unsupportedVersion = Code(rawValue: "unsupportedVersion")
        /// A required field is absent.
        public static let missingField = Code(rawValue: "missingField")
        /// A field has the wrong type or an invalid value.
        public static let invalidField = Code(rawValue: "invalidField")
        /// The message is larger than SQS's 256 KiB.
        public static let tooLarge = Code(rawValue: "tooLarge")
    }

    /// The error code.
    public var code: Code
    /// A message for people.
    public var message: String
    /// The dotted path of the offending field (`video.jobs[0]`), when one is to blame.
    public var field: String?

    public init(code: Code, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        "queue message \(code): \(message)" + (field.map { " (field \($0))" } ?? "")
    }
}
