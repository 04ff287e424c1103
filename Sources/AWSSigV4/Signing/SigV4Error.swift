/// Why a request could not be signed.
public struct SigV4Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable reason.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A presigned URL's lifetime is outside 1 second … 7 days.
        public static let invalidExpiry = Code(rawValue: "InvalidExpiry")
        /// The URL could not be split into scheme, host, path and query.
        public static let invalidURL = Code(rawValue: "InvalidURL")
        /// A streaming payload was described with impossible sizes.
        public static let invalidStreamingPayload = Code(rawValue: "InvalidStreamingPayload")
        /// A streaming payload sent more or fewer bytes than it declared.
        public static let payloadLengthMismatch = Code(rawValue: "PayloadLengthMismatch")
    }

    /// The reason.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
