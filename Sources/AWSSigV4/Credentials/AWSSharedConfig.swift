import Foundation

/// Where the AWS shared files are and which profile is selected, resolved from the environment
/// as the AWS CLI does, plus helpers to read a profile's settings and region.
///
/// - The credentials file is `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
/// - The config file is `AWS_CONFIG_FILE`, else `~/.aws/config`.
/// - `~` is the `HOME` of the given environment (the process's home directory if it is unset).
/// - The profile is the one passed in, else `AWS_PROFILE`, else `default`.
public struct AWSSharedConfig: Sendable, Hashable {
    /// The name of the profile used when none is selected.
    public static let defaultProfile = "default"

    /// The path of the shared credentials file.
    public var credentialsFilePath: String
    /// The path of the shared config file.
    public var configFilePath: String
    /// The selected profile.
    public var profile: String

    /// Resolves the file paths and the profile.
    ///
    /// - Parameters:
    ///   - profile: The profile to use; `nil` means `AWS_PROFILE`, then `default`.
    ///   - environment: The environment to read (the process's by default).
    public init(profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = Self.nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            if path == "~" { return home }
            if path.hasPrefix("~/") { return home + path.dropFirst() }
            return path
        }
        self.credentialsFilePath = expand(
            Self.nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? "~/.aws/credentials"
        )
        self.configFilePath = expand(Self.nonEmpty(environment["AWS_CONFIG_FILE"]) ?? "~/.aws/config")
        self.profile = Self.nonEmpty(profile) ?? Self.nonEmpty(environment["AWS_PROFILE"]) ?? Self.defaultProfile
    }

    /// The settings of ``profile`` from both files, the credentials file winning key by key.
    ///
    /// - Returns: The merged settings, or `nil` when neither file defines the profile.
    /// - Throws: ``CredentialsError`` with code ``CredentialsError/Code/notConfigured`` when neither
    ///   file exists, or ``CredentialsError/Code/invalidConfiguration`` when one is malformed.
    public func profileSettings() throws(CredentialsError) -> [String: String]? {
        let credentialsFile = try AWSConfigFile.load(path: credentialsFilePath, kind: .credentials)
        let configFile = try AWSConfigFile.load(path: configFilePath, kind: .config)
        guard credentialsFile != nil || configFile != nil else {
            throw CredentialsError(
                code: .notConfigured,
                message: "no credentials file at \(credentialsFilePath) and no config file at \(configFilePath)",
                provider: AWSConfigFile.providerName
            )
        }
        let fromConfig = configFile?.profiles[profile]
        let fromCredentials = credentialsFile?.profiles[profile]
        guard fromConfig != nil || fromCredentials != nil else { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentialsValue in credentialsValue }
    }

    /// The `region` set for a profile in the config file.
    ///
    /// - Parameters:
    ///   - profile: The profile; `nil` means `AWS_PROFILE`, then `default`.
    ///   - environment: The environment to read (the process's by default).
    /// - Returns: The region, or `nil` when there is no config file, no such profile or no region.
    /// - Throws: ``CredentialsError`` with code ``CredentialsError/Code/invalidConfiguration``
    ///   when the config file is malformed.
    public static func region(
        profile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CredentialsError) -> String? {
        let shared = AWSSharedConfig(profile: profile, environment: environment)
        let configFile = try AWSConfigFile.load(path: shared.configFilePath, kind: .config)
        return nonEmpty(configFile?.profiles[shared.profile]?["region"])
    }

    /// The region to use: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the selected profile's
    /// `region` in the config file (see ``region(profile:environment:)``).
    ///
    /// - Returns: The region, or `nil` when none is configured anywhere.
    /// - Throws: ``CredentialsError`` when the config file has to be read and is malformed.
    public static func resolvedRegion(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CredentialsError) -> String? {
        if let region = nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) {
            return region
        }
        return try region(profile: nil, environment: environment)
    }

    /// The value trimmed, or `nil` when it is missing or blank.
    static func nonEmpty(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            return nil
        }
        return trimmed
    }
}
