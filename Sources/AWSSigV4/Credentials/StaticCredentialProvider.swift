/// Always returns the same credentials, given in code.
///
/// Useful for tests, for keys read from a secret store, and as the first link of a chain.
public struct StaticCredentialProvider: CredentialProvider {
    /// `"static"`.
    public var name: String { "static" }

    /// The credentials returned by every call.
    public let staticCredentials: Credentials

    /// Creates a provider that always returns `credentials`.
    public init(credentials: Credentials) {
        self.staticCredentials = credentials
    }

    /// Returns the credentials given at initialization.
    public func credentials() async throws -> Credentials {
        staticCredentials
    }
}
