import Foundation
import Synchronization

/// Reads static credentials of a profile from the AWS shared files, `~/.aws/credentials` and
/// `~/.aws/config` (see ``AWSSharedConfig`` for how paths and the profile are chosen, and
/// ``AWSConfigFile`` for the syntax).
///
/// The profile's `aws_access_key_id`, `aws_secret_access_key` and optional `aws_session_token`
/// are used; the credentials file wins over the config file for the same profile. The files are
/// read on the first call and the outcome is kept for the provider's lifetime, as the AWS SDKs do.
///
/// Errors:
/// - neither file exists, or the `default` profile is missing or has no keys:
///   ``CredentialsError/Code/notConfigured``;
/// - a malformed file, a profile selected by name that does not exist, a profile with only one of
///   the two keys, or one that relies on an unsupported mechanism (`role_arn`,
///   `credential_process`, SSO): ``CredentialsError/Code/invalidConfiguration``.
public struct SharedFilesCredentialProvider: CredentialProvider {
    /// Profile settings that provide credentials by means this provider does not implement.
    static let unsupportedSettings = [
        "role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file",
    ]

    /// `"shared files"`.
    public var name: String { AWSConfigFile.providerName }

    /// The resolved file paths and profile.
    public let configuration: AWSSharedConfig

    private let outcome: OutcomeBox

    /// Creates a provider for a profile of the shared files.
    ///
    /// - Parameters:
    ///   - profile: The profile to use; `nil` means `AWS_PROFILE`, then `default`.
    ///   - environment: The environment giving `HOME`, `AWS_PROFILE`, `AWS_SHARED_CREDENTIALS_FILE`
    ///     and `AWS_CONFIG_FILE` (the process's by default).
    public init(profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.configuration = AWSSharedConfig(profile: profile, environment: environment)
        self.outcome = OutcomeBox()
    }

    /// Returns the profile's credentials, reading the files on the first call.
    public func credentials() async throws -> Credentials {
        try outcome.value.withLock { stored in
            if let stored { return stored }
            let result = Result { () throws(CredentialsError) -> Credentials in try resolve() }
            stored = result
            return result
        }.get()
    }

    /// Reads the files and extracts the profile's credentials.
    func resolve() throws(CredentialsError) -> Credentials {
        let profile = configuration.profile
        guard let settings = try configuration.profileSettings() else {
            let files = "\(configuration.credentialsFilePath) or \(configuration.configFilePath)"
            if profile == AWSSharedConfig.defaultProfile {
                throw CredentialsError(
                    code: .notConfigured,
                    message: "no profile default in \(files)",
                    provider: name
                )
            }
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "profile \(profile) not found in \(files)",
                provider: name
            )
        }

        let accessKeyID = AWSSharedConfig.nonEmpty(settings["aws_access_key_id"])
        let secretAccessKey = AWSSharedConfig.nonEmpty(settings["aws_secret_access_key"])
        switch (accessKeyID, secretAccessKey) {
        case (let accessKeyID?, let secretAccessKey?):
            return Credentials(
                accessKeyID: accessKeyID,
                secretAccessKey: secretAccessKey,
                sessionToken: AWSSharedConfig.nonEmpty(settings["aws_session_token"])
            )
        case (_?, nil):
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "profile \(profile) has aws_access_key_id but no aws_secret_access_key",
                provider: name
            )
        case (nil, _?):
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "profile \(profile) has aws_secret_access_key but no aws_access_key_id",
                provider: name
            )
        case (nil, nil):
            if let unsupported = Self.unsupportedSettings.first(where: { settings[$0] != nil }) {
                throw CredentialsError(
                    code: .invalidConfiguration,
                    message: "profile \(profile) uses \(unsupported), which this provider does not support",
                    provider: name
                )
            }
            throw CredentialsError(
                code: .notConfigured,
                message: "profile \(profile) has no aws_access_key_id",
                provider: name
            )
        }
    }
}

extension SharedFilesCredentialProvider {
    /// The outcome of the first read, shared by copies of the provider.
    final class OutcomeBox: Sendable {
        let value = Mutex<Result<Credentials, CredentialsError>?>(nil)
    }
}
