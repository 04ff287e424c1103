import Foundation

/// Reads credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
///
/// Values are trimmed of surrounding whitespace, and an empty variable counts as unset. With neither the key id nor the secret set the provider
/// throws ``CredentialsError/Code/notConfigured``; with only one of them it throws
/// ``CredentialsError/Code/invalidConfiguration`` naming the missing variable.
public struct EnvironmentCredentialProvider: CredentialProvider {
    /// The variable holding the access key id.
    public static let accessKeyIDVariable = "AWS_ACCESS_KEY_ID"
    /// The variable holding the secret access key.
    public static let secretAccessKeyVariable = "AWS_SECRET_ACCESS_KEY"
    /// The variable holding the optional session token.
    public static let sessionTokenVariable = "AWS_SESSION_TOKEN"

    /// `"environment"`.
    public var name: String { "environment" }

    private let environment: [String: String]

    /// Creates a provider reading the given environment (the process's by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Returns the credentials held by the environment variables.
    public func credentials() async throws -> Credentials {
        try resolve()
    }

    /// The synchronous work of ``credentials()``.
    func resolve() throws(CredentialsError) -> Credentials {
        let accessKeyID = value(Self.accessKeyIDVariable)
        let secretAccessKey = value(Self.secretAccessKeyVariable)
        switch (accessKeyID, secretAccessKey) {
        case (let accessKeyID?, let secretAccessKey?):
            return Credentials(
                accessKeyID: accessKeyID,
                secretAccessKey: secretAccessKey,
                sessionToken: value(Self.sessionTokenVariable)
            )
        case (nil, nil):
            throw CredentialsError(
                code: .notConfigured,
                message: "\(Self.accessKeyIDVariable) not set",
                provider: name
            )
        case (nil, _):
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "\(Self.secretAccessKeyVariable) is set but \(Self.accessKeyIDVariable) is not",
                provider: name
            )
        case (_, nil):
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "\(Self.accessKeyIDVariable) is set but \(Self.secretAccessKeyVariable) is not",
                provider: name
            )
        }
    }

    /// The variable's value without surrounding whitespace, or `nil` when it is unset or empty.
    private func value(_ variable: String) -> String? {
        guard let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
        else { return nil }
        return value
    }
}
