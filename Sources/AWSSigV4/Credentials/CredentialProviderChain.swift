import AsyncHTTPClient
import Foundation
import Logging
import Synchronization

/// Asks a list of providers in order and returns the first credentials found.
///
/// A provider that throws makes the chain move on to the next one: ``CredentialsError/Code/notConfigured``
/// silently, any other error after remembering it. If no provider succeeds, the chain throws
/// ``CredentialsError/Code/noCredentials`` whose message gives each provider's reason, e.g.
/// `"environment: AWS_ACCESS_KEY_ID not set; shared files: no credentials file at …; …"`.
///
/// Like the AWS SDKs, the chain remembers the provider that worked and asks only that one from
/// then on (the network providers cache and refresh on their own); its errors are then thrown
/// as they are. Cancellation is never swallowed.
public final class CredentialProviderChain: CredentialProvider {
    /// `"chain"`.
    public var name: String { "chain" }

    /// The providers, in the order they are asked.
    public let providers: [any CredentialProvider]

    private let chosen = Mutex<Int?>(nil)
    private let logger: Logger

    /// Creates a chain asking `providers` in order.
    ///
    /// - Parameters:
    ///   - providers: The providers, first asked first.
    ///   - logger: Where the chain reports which provider it settled on (never secrets).
    public init(providers: [any CredentialProvider], logger: Logger = Logger(label: "videoqueue.credentials")) {
        self.providers = providers
        self.logger = logger
    }

    /// The chain of the AWS SDKs: `credentials` if given, then the environment variables, the
    /// shared files, the ECS container endpoint and the EC2 instance metadata service (IMDSv2).
    ///
    /// - Parameters:
    ///   - credentials: Static credentials to try first, if any.
    ///   - environment: The environment all providers read (the process's by default).
    ///   - profile: The shared-files profile; `nil` means `AWS_PROFILE`, then `default`.
    ///   - httpClient: The client used by the ECS and IMDS providers.
    ///   - logger: Passed to the chain and its network providers.
    public static func `default`(
        credentials: Credentials? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        profile: String? = nil,
        httpClient: HTTPClient = .aws,
        logger: Logger = Logger(label: "videoqueue.credentials")
    ) -> CredentialProviderChain {
        var providers: [any CredentialProvider] = []
        if let credentials {
            providers.append(StaticCredentialProvider(credentials: credentials))
        }
        providers.append(EnvironmentCredentialProvider(environment: environment))
        providers.append(SharedFilesCredentialProvider(profile: profile, environment: environment))
        providers.append(ContainerCredentialProvider(environment: environment, httpClient: httpClient, logger: logger))
        providers.append(IMDSCredentialProvider(environment: environment, httpClient: httpClient, logger: logger))
        return CredentialProviderChain(providers: providers, logger: logger)
    }

    /// The provider that produced credentials and is now asked directly, if any.
    public var resolvedProvider: (any CredentialProvider)? {
        chosen.withLock { $0 }.map { providers[$0] }
    }

    /// Returns credentials from the remembered provider, or from the first provider that has some.
    public func credentials() async throws -> Credentials {
        if let index = chosen.withLock({ $0 }) {
            return try await providers[index].credentials()
        }

        var reasons: [String] = []
        for (index, provider) in providers.enumerated() {
            do {
                let credentials = try await provider.credentials()
                let isFirst = chosen.withLock { current in
                    guard current == nil else { return false }
                    current = index
                    return true
                }
                if isFirst {
                    logger.debug("Using credentials from \(provider.name)", metadata: ["provider": "\(provider.name)"])
                }
                return credentials
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as CredentialsError {
                reasons.append("\(provider.name): \(error.message)")
            } catch {
                // Foreign errors are named by type only: their text is not known to be free of secrets.
                reasons.append("\(provider.name): \(type(of: error))")
            }
            try Task.checkCancellation()
        }

        let summary = reasons.isEmpty ? "the chain has no providers" : reasons.joined(separator: "; ")
        throw CredentialsError(code: .noCredentials, message: summary, provider: name)
    }
}
