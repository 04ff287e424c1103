import AWSSigV4
import Foundation

/// How a service client reaches AWS: region, endpoint, credentials, retries and timeouts.
///
/// ``init(service:environment:)`` follows the AWS conventions: `AWS_REGION` (then `AWS_DEFAULT_REGION`,
/// then the profile's `region`), `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_SQS`) then
/// `AWS_ENDPOINT_URL`, and the default credential chain (environment → shared files → ECS → IMDSv2).
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `AWS_REGION`, `AWS_DEFAULT_REGION` | the region | the profile's `region`; required |
/// | `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL` | an endpoint (LocalStack, a VPC endpoint) | the service's public endpoint in the region |
/// | `AWS_PROFILE` | the profile of the shared files | `default` |
/// | `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` | the shared files | `~/.aws/config`, `~/.aws/credentials` |
/// | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` | static credentials (first in the chain) | none |
/// | `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, `AWS_CONTAINER_CREDENTIALS_FULL_URI` | the ECS/EKS credentials endpoint | none |
/// | `AWS_CONTAINER_AUTHORIZATION_TOKEN`, `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` | its authorization token | none |
/// | `AWS_EC2_METADATA_DISABLED` | `true`: no instance metadata (IMDSv2) credentials | `false` |
/// | `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` | the metadata endpoint (`IPv4`/`IPv6`) | `http://169.254.169.254` |
public struct AWSClientConfiguration: Sendable {
    /// The region requests are signed for.
    public var region: String
    /// Where requests go.
    public var endpoint: AWSEndpoint
    /// Where credentials come from.
    public var credentialProvider: any CredentialProvider
    /// The retry policy.
    public var retry: RetryConfiguration
    /// The time one attempt may take (a long poll adds its wait time to it).
    public var requestTimeout: Duration
    /// The largest response body read into memory (streamed downloads are not limited by it).
    public var maximumResponseBytes: Int

    /// A configuration from its parts.
    public init(
        region: String, endpoint: AWSEndpoint, credentialProvider: any CredentialProvider,
        retry: RetryConfiguration = .standard, requestTimeout: Duration = .seconds(30),
        maximumResponseBytes: Int = 16 << 20
    ) {
        self.region = region
        self.endpoint = endpoint
        self.credentialProvider = credentialProvider
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// The configuration of `service` read from `environment`.
    ///
    /// - Throws: ``AWSConfigurationError`` when no region is set, a region is malformed or an endpoint
    ///   variable is not an http(s) URL.
    public init(
        service: AWSService, environment: [String: String] = ProcessInfo.processInfo.environment,
        credentialProvider: (any CredentialProvider)? = nil
    ) throws(AWSConfigurationError) {
        let region: String
        do {
            guard let resolved = try AWSSharedConfig.resolvedRegion(environment: environment) else {
                throw AWSConfigurationError("no region: set AWS_REGION (or a region in the AWS config file)")
            }
            region = resolved
        } catch let error as AWSConfigurationError {
            throw error
        } catch {
            throw AWSConfigurationError("cannot read the AWS config file: \(error)")
        }
        guard Self.isValidRegion(region) else {
            throw AWSConfigurationError("AWS_REGION '\(region)' is not a region name (letters, digits and '-')")
        }
        let variable = "AWS_ENDPOINT_URL_\(service.endpointVariableSuffix)"
        let endpoint: AWSEndpoint
        if let url = Self.nonEmpty(environment[variable]) ?? Self.nonEmpty(environment["AWS_ENDPOINT_URL"]) {
            guard let parsed = AWSEndpoint(url: url) else {
                let name = Self.nonEmpty(environment[variable]) != nil ? variable : "AWS_ENDPOINT_URL"
                throw AWSConfigurationError("\(name) '\(url)' is not an http or https URL")
            }
            endpoint = parsed
        } else {
            endpoint = service.defaultEndpoint(region: region)
        }
        self.init(
            region: region, endpoint: endpoint,
            credentialProvider: credentialProvider ?? CredentialProviderChain.default(environment: environment))
    }

    static func isValidRegion(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 64
            && region.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}

/// A configuration that cannot work, with the variable to fix.
public struct AWSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
