import AsyncHTTPClient
import Foundation
import Logging

/// Fetches temporary credentials from the container credentials endpoint of ECS tasks
/// (and EKS Pod Identity), caching them and refreshing them ahead of expiry.
///
/// Configuration, read from the environment at initialization:
/// - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: a path on `http://169.254.170.2` (or on
///   `endpointOverride`); it wins over the full URI;
/// - `AWS_CONTAINER_CREDENTIALS_FULL_URI`: any `https` URL, or an `http` URL whose host is a
///   loopback address, `169.254.170.2` (ECS), `169.254.170.23` or `fd00:ec2::23` (EKS);
///   other `http` hosts are rejected with ``CredentialsError/Code/invalidConfiguration``;
/// - `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read, trimmed, at every fetch) or else
///   `AWS_CONTAINER_AUTHORIZATION_TOKEN`: the value of the `Authorization` header.
///
/// With neither URI variable set the provider throws ``CredentialsError/Code/notConfigured``.
/// The endpoint answers with JSON holding `AccessKeyId`, `SecretAccessKey`, `Token` and
/// `Expiration`. Caching, single-flight refreshes and the fallback to still-valid credentials
/// are those of ``RefreshingCredentialProvider``.
public struct ContainerCredentialProvider: CredentialProvider {
    /// The ECS endpoint that relative URIs are resolved against.
    public static let defaultEndpoint = "http://169.254.170.2"
    /// The hosts, besides loopback addresses, that a full URI may name over plain `http`.
    public static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    /// `"ecs"`.
    public var name: String { "ecs" }

    /// The URL credentials are fetched from, or `nil` when the provider is not usable.
    public let endpointURL: String?

    private let state: RemoteCredentialSource

    /// Creates a provider configured by the container variables of `environment`.
    ///
    /// - Parameters:
    ///   - environment: The environment to read (the process's by default).
    ///   - httpClient: The client used for requests.
    ///   - endpointOverride: The base URL relative URIs are resolved against instead of
    ///     ``defaultEndpoint``, e.g. a local test server.
    ///   - timeout: The time each request has to complete, connection included.
    ///   - refreshMargin: How long before expiry credentials are refreshed, in seconds.
    ///   - retryInterval: After a failed refresh, how long still-valid credentials are served
    ///     before the next attempt, in seconds.
    ///   - now: The clock; inject one in tests to control expiry.
    ///   - logger: Where refresh failures are reported (never with secrets).
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient = .aws,
        endpointOverride: String? = nil,
        timeout: Duration = .seconds(5),
        refreshMargin: TimeInterval = 300,
        retryInterval: TimeInterval = 10,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "videoqueue.credentials")
    ) {
        let providerName = "ecs"
        let endpoint: Endpoint
        do {
            endpoint = try Self.endpoint(environment: environment, endpointOverride: endpointOverride)
        } catch {
            self.endpointURL = nil
            self.state = .unusable(error)
            return
        }
        let authorization = Self.authorization(environment: environment)
        let http = MetadataHTTPClient(httpClient: httpClient, timeout: timeout)
        self.endpointURL = endpoint.url
        self.state = .ready(
            RefreshingCredentialProvider(
                name: providerName,
                refreshMargin: refreshMargin,
                retryInterval: retryInterval,
                now: now,
                logger: logger
            ) {
                try await Self.fetch(from: endpoint, authorization: authorization, http: http, provider: providerName)
            }
        )
    }

    /// Returns cached credentials, fetching new ones from the endpoint when needed.
    public func credentials() async throws -> Credentials {
        try await state.credentials()
    }
}

extension ContainerCredentialProvider {

    /// Where credentials are fetched from, and a secret-free name for it in messages.
    private struct Endpoint: Sendable {
        var url: String
        /// `scheme://host[:port]`, without the path (which can identify the task's credentials).
        var origin: String
    }

    /// Where the `Authorization` header comes from.
    private enum Authorization: Sendable {
        case none
        case token(String)
        case tokenFile(String)
    }

    /// Resolves the endpoint from the environment.
    private static func endpoint(
        environment: [String: String],
        endpointOverride: String?
    ) throws(CredentialsError) -> Endpoint {
        if let relative = AWSSharedConfig.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            var base = AWSSharedConfig.nonEmpty(endpointOverride) ?? defaultEndpoint
            while base.hasSuffix("/") { base.removeLast() }
            let path = relative.hasPrefix("/") ? relative : "/" + relative
            guard let components = URLComponents(string: base + path), let host = components.host, !host.isEmpty
            else {
                throw CredentialsError(
                    code: .invalidConfiguration,
                    message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI does not form a valid URL",
                    provider: "ecs"
                )
            }
            return Endpoint(url: base + path, origin: origin(of: components))
        }

        guard let full = AWSSharedConfig.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) else {
            throw CredentialsError(
                code: .notConfigured,
                message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set",
                provider: "ecs"
            )
        }
        guard let components = URLComponents(string: full),
            let scheme = components.scheme?.lowercased(),
            let rawHost = components.host, !rawHost.isEmpty
        else {
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL",
                provider: "ecs"
            )
        }
        let host = rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        switch scheme {
        case "https":
            break
        case "http":
            guard isLoopback(host) || allowedHTTPHosts.contains(host) else {
                throw CredentialsError(
                    code: .invalidConfiguration,
                    message: "AWS_CONTAINER_CREDENTIALS_FULL_URI uses http with host \(host), which is neither "
                        + "a loopback address nor an ECS/EKS credentials address; use https",
                    provider: "ecs"
                )
            }
        default:
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "AWS_CONTAINER_CREDENTIALS_FULL_URI has scheme \(scheme); expected http or https",
                provider: "ecs"
            )
        }
        return Endpoint(url: full, origin: origin(of: components))
    }

    /// Whether `host` (brackets removed) is `localhost` or a loopback IP address.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && UInt8(octet) != nil
        }
    }

    /// `scheme://host[:port]` of a URL.
    private static func origin(of components: URLComponents) -> String {
        var origin = (components.scheme ?? "http") + "://"
        let host = components.host ?? ""
        origin += host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port = components.port { origin += ":\(port)" }
        return origin
    }

    /// The source of the `Authorization` header; the token file wins.
    private static func authorization(environment: [String: String]) -> Authorization {
        if let path = AWSSharedConfig.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) {
            return .tokenFile(path)
        }
        if let token = AWSSharedConfig.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) {
            return .token(token)
        }
        return .none
    }

    /// The `Authorization` header value, reading the token file if there is one.
    private static func authorizationValue(_ authorization: Authorization) throws(CredentialsError) -> String? {
        let token: String
        switch authorization {
        case .none:
            return nil
        case .token(let value):
            token = value
        case .tokenFile(let path):
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(data: data, encoding: .utf8)
            else {
                throw CredentialsError(
                    code: .invalidConfiguration,
                    message: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE at \(path)",
                    provider: "ecs"
                )
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !token.isEmpty, !token.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "the container authorization token is empty or spans several lines",
                provider: "ecs"
            )
        }
        return token
    }

    /// One fetch of credentials from the endpoint.
    private static func fetch(
        from endpoint: Endpoint,
        authorization: Authorization,
        http: MetadataHTTPClient,
        provider: String
    ) async throws -> Credentials {
        var headers = [("Accept", "application/json")]
        if let value = try authorizationValue(authorization) {
            headers.append(("Authorization", value))
        }
        let source = "container credentials endpoint at \(endpoint.origin)"
        let response: MetadataHTTPClient.Response
        do {
            response = try await http.send(.GET, url: endpoint.url, headers: headers)
        } catch {
            throw CredentialsError(
                code: .providerUnavailable,
                message: "\(source) not reachable: \(MetadataHTTPClient.describe(error, timeout: http.timeout))",
                provider: provider
            )
        }
        guard response.status == 200 else {
            throw CredentialsError(
                code: .providerUnavailable,
                message: "\(source) returned HTTP \(response.status)",
                provider: provider
            )
        }
        let document = try CredentialsDocument.decode(response.body, provider: provider, source: source)
        return try document.credentials(provider: provider, source: source)
    }
}
