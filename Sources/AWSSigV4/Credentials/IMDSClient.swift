import Foundation
import NIOHTTP1

/// Talks IMDSv2 to the EC2 instance metadata service: obtains a session token with
/// `PUT /latest/api/token`, caches it until shortly before its TTL ends, sends it with every
/// `GET`, and on a `401` (token expired or revoked) obtains a new one and retries once.
///
/// Token fetches are single-flight. The token never appears in an error or a log.
actor IMDSClient {
    /// The header carrying the token on metadata requests.
    static let tokenHeader = "X-aws-ec2-metadata-token"
    /// The header carrying the requested token lifetime on the token request.
    static let tokenTTLHeader = "X-aws-ec2-metadata-token-ttl-seconds"

    /// The base URL, without a trailing slash.
    let endpoint: String
    private let http: MetadataHTTPClient
    private let tokenTTL: Int
    private let now: @Sendable () -> Date
    private let provider: String

    private var token: (value: String, refreshAt: Date)?
    private var tokenTask: Task<String, any Error>?

    /// Creates a client for the service at `endpoint`.
    ///
    /// - Parameters:
    ///   - endpoint: The base URL, e.g. `http://169.254.169.254`.
    ///   - http: The transport.
    ///   - tokenTTL: The token lifetime to request, in seconds (1…21600).
    ///   - now: The clock deciding when the cached token is renewed.
    ///   - provider: The provider name for errors.
    init(endpoint: String, http: MetadataHTTPClient, tokenTTL: Int, now: @escaping @Sendable () -> Date, provider: String) {
        self.endpoint = endpoint
        self.http = http
        self.tokenTTL = min(max(tokenTTL, 1), 21_600)
        self.now = now
        self.provider = provider
    }

    /// `GET`s a metadata path with the session token, renewing the token once on a `401`.
    ///
    /// - Returns: The response, whatever its status other than a second `401`.
    func get(_ path: String) async throws -> MetadataHTTPClient.Response {
        let first = try await currentToken()
        let response = try await send(.GET, path: path, headers: [(Self.tokenHeader, first)])
        guard response.status == 401 else { return response }

        invalidate(first)
        let second = try await currentToken()
        let retried = try await send(.GET, path: path, headers: [(Self.tokenHeader, second)])
        guard retried.status != 401 else {
            throw CredentialsError(
                code: .providerUnavailable,
                message: "EC2 instance metadata service at \(endpoint) rejected a newly issued token (HTTP 401)",
                provider: provider
            )
        }
        return retried
    }

    /// The cached token if it is not due for renewal, else a new one (one request for all callers).
    private func currentToken() async throws -> String {
        if let token, now() < token.refreshAt {
            return token.value
        }
        let task: Task<String, any Error>
        if let tokenTask {
            task = tokenTask
        } else {
            task = Task { try await self.fetchToken() }
            tokenTask = task
        }
        defer {
            if tokenTask == task { tokenTask = nil }
        }
        return try await task.value
    }

    /// Forgets `rejected` if it is still the cached token.
    private func invalidate(_ rejected: String) {
        if token?.value == rejected {
            token = nil
        }
    }

    /// `PUT /latest/api/token`, caching the result.
    private func fetchToken() async throws -> String {
        let requestedAt = now()
        let response = try await send(
            .PUT,
            path: "/latest/api/token",
            headers: [(Self.tokenTTLHeader, String(tokenTTL))]
        )
        guard response.status == 200 else {
            var message = "EC2 instance metadata service at \(endpoint) refused a session token (HTTP \(response.status))"
            if response.status == 403 {
                message += "; the metadata service may be disabled for this instance"
            }
            throw CredentialsError(code: .providerUnavailable, message: message, provider: provider)
        }
        let value = response.body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty, !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw CredentialsError(
                code: .invalidResponse,
                message: "EC2 instance metadata service at \(endpoint) returned an unusable session token",
                provider: provider
            )
        }
        // Renew a minute before the end of the TTL (half-way through very short TTLs).
        let lifetime = TimeInterval(tokenTTL)
        let renewal = lifetime > 120 ? lifetime - 60 : lifetime / 2
        token = (value, requestedAt.addingTimeInterval(renewal))
        return value
    }

    /// Sends one request, turning transport failures into a clear "not reachable" error.
    private func send(
        _ method: HTTPMethod,
        path: String,
        headers: [(String, String)]
    ) async throws -> MetadataHTTPClient.Response {
        do {
            return try await http.send(method, url: endpoint + path, headers: headers)
        } catch {
            throw CredentialsError(
                code: .providerUnavailable,
                message: "EC2 instance metadata service not reachable at \(endpoint): "
                    + MetadataHTTPClient.describe(error, timeout: http.timeout),
                provider: provider
            )
        }
    }
}
