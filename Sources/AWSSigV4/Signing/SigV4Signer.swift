import Foundation

/// Signs requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`).
///
/// ```swift
/// let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "sqs")
/// var request = try SigV4Request(method: "POST", url: "https://sqs.us-east-1.amazonaws.com/", headers: headers)
/// signer.sign(&request, body: .bytes(body))          // adds X-Amz-Date, Authorization, …
/// let url = try signer.presign(url: objectURL, expires: 3600)
/// ```
///
/// A signer is a value: cheap to create per request from the current credentials. Derived signing keys
/// are shared through a ``SigningKeyCache``.
public struct SigV4Signer: Sendable {
    /// The credentials that sign.
    public var credentials: Credentials
    /// The region of the credential scope, e.g. `us-east-1`.
    public var region: String
    /// The service's signing name, e.g. `s3`, `sqs`, `monitoring`.
    public var service: String
    /// The rules that differ between services.
    public var options: Options
    /// The cache of signing keys; `nil` for ``SigningKeyCache/shared``, looked up when a key is needed (a signer made per
    /// request then holds no reference to it).
    private let keyCache: SigningKeyCache?

    /// The algorithm identifier.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Creates a signer. `options` default to the rules of `service` (S3's own for `s3`), `keyCache` to
    /// ``SigningKeyCache/shared``.
    public init(credentials: Credentials, region: String, service: String, options: Options? = nil, keyCache: SigningKeyCache? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options ?? Options(service: service)
        self.keyCache = keyCache
    }

    /// The credential scope: `20150830/us-east-1/service/aws4_request`.
    public func credentialScope(for date: AMZDate) -> String {
        "\(date.day)/\(region)/\(service)/aws4_request"
    }

    // MARK: Internals

    /// The date, signing key and encoded credentials of signing at `date`.
    func signingContext(for date: Date) -> SigningContext {
        SigningContext.of(date: date, credentials: credentials, region: region, service: service, keyCache: keyCache)
    }
}
