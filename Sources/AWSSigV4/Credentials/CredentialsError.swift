/// Why a credential provider could not produce credentials.
///
/// Messages never contain a secret access key or a session token.
public struct CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable reason.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The provider has no credentials to offer (e.g. the variables are not set); a chain moves on.
        public static let notConfigured = Code(rawValue: "NotConfigured")
        /// A source exists but what it holds is unusable (a malformed file, a profile missing a key).
        public static let invalidConfiguration = Code(rawValue: "InvalidConfiguration")
        /// A remote source (ECS, IMDS) answered with an error or could not be reached.
        public static let providerUnavailable = Code(rawValue: "ProviderUnavailable")
        /// A remote source answered with something that is not credentials.
        public static let invalidResponse = Code(rawValue: "InvalidResponse")
        /// The credentials obtained have already expired.
        public static let expired = Code(rawValue: "Expired")
        /// No provider of a chain produced credentials.
        public static let noCredentials = Code(rawValue: "NoCredentials")
    }

    /// The reason.
    public var code: Code
    /// A human-readable explanation, safe to log.
    public var message: String
    /// The provider that failed, e.g. `"imds"`.
    public var provider: String

    public init(code: Code, message: String, provider: String) {
        self.code = code
        self.message = message
        self.provider = provider
    }

    public var description: String { "\(provider): \(code): \(message)" }
}
