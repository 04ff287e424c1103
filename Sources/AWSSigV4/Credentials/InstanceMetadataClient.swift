import AsyncHTTPClient
import Foundation

/// Reads instance metadata other than credentials (the instance id, Spot interruption notices, the Auto Scaling
/// target lifecycle state) from the EC2 instance metadata service, IMDSv2 only, with the endpoint settings of
/// ``IMDSCredentialProvider`` (`AWS_EC2_METADATA_DISABLED`, `AWS_EC2_METADATA_SERVICE_ENDPOINT[_MODE]`).
///
/// ```swift
/// if let metadata = InstanceMetadataClient() {
///     let notice = try await metadata.value(at: "/latest/meta-data/spot/instance-action")   // nil: no notice
/// }
/// ```
public struct InstanceMetadataClient: Sendable {
    /// The base URL of the service.
    public let endpoint: String
    private let client: IMDSClient

    /// A client, or `nil` when the metadata service is disabled or its endpoint setting is not a URL.
    /// - Parameter requestTimeout: each request's deadline (the service answers in milliseconds where it exists).
    public init?(
        environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .aws,
        requestTimeout: Duration = .seconds(2)
    ) {
        guard case .success(let endpoint) = IMDSCredentialProvider.resolveEndpoint(environment: environment, override: nil) else {
            return nil
        }
        self.endpoint = endpoint
        client = IMDSClient(
            endpoint: endpoint, http: MetadataHTTPClient(httpClient: httpClient, timeout: requestTimeout),
            tokenTTL: 21_600, now: { Date() }, provider: "imds")
    }

    /// The text at `path` (e.g. `/latest/meta-data/instance-id`), or `nil` when the service answers `404` (no
    /// such item: for the Spot notice, no interruption is scheduled).
    /// - Throws: ``CredentialsError`` (`providerUnavailable`) when the service cannot be reached or answers an
    ///   error other than `404`.
    public func value(at path: String) async throws -> String? {
        let response = try await client.get(path)
        switch response.status {
        case 200: return response.body
        case 404: return nil
        default:
            throw CredentialsError(
                code: .providerUnavailable,
                message: "EC2 instance metadata service at \(endpoint) returned HTTP \(response.status) for \(path)",
                provider: "imds")
        }
    }
}
