/// A request that got no usable answer: the connection failed, dropped or timed out (after retries),
/// or the response was larger than the client reads.
public struct AWSTransportError: Error, Sendable, CustomStringConvertible {
    /// A machine-readable reason.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No connection, a dropped connection or a timeout.
        public static let networkError = Code(rawValue: "NetworkError")
        /// The response body exceeded ``AWSClientConfiguration/maximumResponseBytes``.
        public static let responseTooLarge = Code(rawValue: "ResponseTooLarge")
        /// The connection dropped while a response body was being streamed to the caller: the caller decides
        /// whether to resume (a download continues with a `Range` request) instead of the retry loop replaying it.
        public static let bodyInterrupted = Code(rawValue: "BodyInterrupted")
        /// No credentials could be obtained.
        public static let credentialsUnavailable = Code(rawValue: "CredentialsUnavailable")
    }

    /// The reason.
    public var code: Code
    /// What happened, naming the operation and endpoint.
    public var message: String
    /// How many attempts were made.
    public var attempts: Int
    /// The underlying error's description.
    public var underlying: String

    public init(code: Code, message: String, attempts: Int, underlying: String) {
        self.code = code
        self.message = message
        self.attempts = attempts
        self.underlying = underlying
    }

    public var description: String { "\(code): \(message) (\(attempts) attempt\(attempts == 1 ? "" : "s")): \(underlying)" }
}
