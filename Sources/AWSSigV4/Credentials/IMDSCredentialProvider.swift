import AsyncHTTPClient
import Foundation
import Logging

/// Fetches the credentials of the instance profile role from the EC2 instance metadata service,
/// using IMDSv2 only (session tokens; there is no fallback to IMDSv1).
///
/// A fetch is:
/// 1. `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` → a session token,
///    cached until shortly before its TTL ends;
/// 2. `GET /latest/meta-data/iam/security-credentials/` → the role name (first line), unless a
///    role name was given;
/// 3. `GET /latest/meta-data/iam/security-credentials/<role>` → the credentials JSON.
///
/// Each `GET` carries `X-aws-ec2-metadata-token`; a `401` means the token expired or was revoked,
/// so a new token is obtained and the request retried once. A `Code` other than `Success` in the
/// document is reported as ``CredentialsError/Code/providerUnavailable``, a document that is not
/// credentials JSON as ``CredentialsError/Code/invalidResponse``, and an unreachable service as
/// ``CredentialsError/Code/providerUnavailable`` ("EC2 instance metadata service not reachable at …").
///
/// Caching, refresh ahead of expiry, single-flight refreshes and the fallback to still-valid
/// credentials when a refresh fails are those of ``RefreshingCredentialProvider``.
///
/// Environment: `AWS_EC2_METADATA_DISABLED=true` disables the provider
/// (``CredentialsError/Code/notConfigured``); `AWS_EC2_METADATA_SERVICE_ENDPOINT` replaces the
/// endpoint, and `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6` selects ``defaultIPv6Endpoint``.
public struct IMDSCredentialProvider: CredentialProvider {
    /// The IPv4 endpoint of the instance metadata service.
    public static let defaultEndpoint = "http://169.254.169.254"
    /// The IPv6 endpoint of the instance metadata service.
    public static let defaultIPv6Endpoint = "http://[fd00:ec2::254]"
    /// The path listing the instance profile's role.
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    /// `"imds"`.
    public var name: String { "imds" }

    /// The base URL of the metadata service, or `nil` when the provider is disabled or misconfigured.
    public let endpoint: String?

    private let state: RemoteCredentialSource

    /// Creates a provider for the instance metadata service.
    ///
    /// - Parameters:
    ///   - environment: The environment to read (the process's by default).
    ///   - httpClient: The client used for requests.
    ///   - endpoint: The base URL of the service; wins over `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
    ///   - roleName: The instance profile role; `nil` asks the service.
    ///   - tokenTTL: The session token lifetime to request, in seconds (at most 21600).
    ///   - requestTimeout: The time each request has to complete, connection included. The
    ///     service answers in milliseconds when it exists, so this is short: off EC2 the chain
    ///     pays it once.
    ///   - refreshMargin: How long before expiry credentials are refreshed, in seconds.
    ///   - retryInterval: After a failed refresh, how long still-valid credentials are served
    ///     before the next attempt, in seconds.
    ///   - now: The clock for credential and token expiry; inject one in tests.
    ///   - logger: Where refresh failures are reported (never with secrets).
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient = .aws,
        endpoint: String? = nil,
        roleName: String? = nil,
        tokenTTL: Int = 21_600,
        requestTimeout: Duration = .seconds(2),
        refreshMargin: TimeInterval = 300,
        retryInterval: TimeInterval = 10,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "videoqueue.credentials")
    ) {
        let providerName = "imds"
        let base: String
        switch Self.resolveEndpoint(environment: environment, override: endpoint) {
        case .success(let resolved):
            base = resolved
        case .failure(let error):
            self.endpoint = nil
            self.state = .unusable(error)
            return
        }

        let client = IMDSClient(
            endpoint: base,
            http: MetadataHTTPClient(httpClient: httpClient, timeout: requestTimeout),
            tokenTTL: tokenTTL,
            now: now,
            provider: providerName
        )
        let role = AWSSharedConfig.nonEmpty(roleName)
        self.endpoint = base
        self.state = .ready(
            RefreshingCredentialProvider(
                name: providerName,
                refreshMargin: refreshMargin,
                retryInterval: retryInterval,
                now: now,
                logger: logger
            ) {
                try await Self.fetch(client: client, roleName: role, provider: providerName)
            }
        )
    }

    /// Returns cached credentials, fetching new ones from the metadata service when needed.
    public func credentials() async throws -> Credentials {
        try await state.credentials()
    }
}

extension IMDSCredentialProvider {
    /// The metadata service's base URL (no trailing slash): `override`, else `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else
    /// the IPv4 or IPv6 (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`) default; a failure when
    /// `AWS_EC2_METADATA_DISABLED=true` (`notConfigured`) or the URL is not http(s) (`invalidConfiguration`).
    static func resolveEndpoint(environment: [String: String], override: String?) -> Result<String, CredentialsError> {
        let providerName = "imds"
        if let disabled = AWSSharedConfig.nonEmpty(environment["AWS_EC2_METADATA_DISABLED"]), disabled.lowercased() == "true" {
            return .failure(CredentialsError(code: .notConfigured, message: "disabled by AWS_EC2_METADATA_DISABLED", provider: providerName))
        }
        var base =
            AWSSharedConfig.nonEmpty(override)
            ?? AWSSharedConfig.nonEmpty(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"])
            ?? (AWSSharedConfig.nonEmpty(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"])?.lowercased() == "ipv6"
                ? defaultIPv6Endpoint : defaultEndpoint)
        while base.hasSuffix("/") { base.removeLast() }
        guard let components = URLComponents(string: base),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            return .failure(
                CredentialsError(
                    code: .invalidConfiguration, message: "the instance metadata endpoint is not an http or https URL",
                    provider: providerName))
        }
        return .success(base)
    }

    /// One fetch sequence: the role (unless given), then its credentials.
    private static func fetch(client: IMDSClient, roleName: String?, provider: String) async throws -> Credentials {
        let endpoint = client.endpoint
        let role: String
        if let roleName {
            role = roleName
        } else {
            role = try await Self.roleName(client: client, provider: provider)
        }

        let encodedRole = role.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? role
        let response = try await client.get(credentialsPath + encodedRole)
        let source = "EC2 instance metadata service at \(endpoint)"
        switch response.status {
        case 200:
            break
        case 404:
            throw CredentialsError(
                code: .providerUnavailable,
                message: "\(source) has no credentials for role \(role) (HTTP 404)",
                provider: provider
            )
        default:
            throw CredentialsError(
                code: .providerUnavailable,
                message: "\(source) returned HTTP \(response.status) for the credentials of role \(role)",
                provider: provider
            )
        }

        let document = try CredentialsDocument.decode(response.body, provider: provider, source: source)
        if let code = document.code, code != "Success" {
            throw CredentialsError(
                code: .providerUnavailable,
                message: "\(source) returned Code \(code) for the credentials of role \(role)",
                provider: provider
            )
        }
        return try document.credentials(provider: provider, source: source)
    }

    /// The instance profile's role: the first line of the role listing.
    private static func roleName(client: IMDSClient, provider: String) async throws -> String {
        let response = try await client.get(credentialsPath)
        let source = "EC2 instance metadata service at \(client.endpoint)"
        switch response.status {
        case 200:
            let first = response.body.split(whereSeparator: \.isNewline).first
            if let role = AWSSharedConfig.nonEmpty(first.map(String.init)) {
                return role
            }
            fallthrough
        case 404:
            throw CredentialsError(
                code: .providerUnavailable,
                message: "no IAM role is attached to this instance (\(source) lists none)",
                provider: provider
            )
        default:
            throw CredentialsError(
                code: .providerUnavailable,
                message: "\(source) returned HTTP \(response.status) for the role listing",
                provider: provider
            )
        }
    }
}
