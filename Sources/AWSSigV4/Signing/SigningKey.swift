/// The SigV4 signing key (task 3):
/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`,
/// valid for one day, region and service.
public struct SigningKey: Sendable {
    /// The key, as pre-keyed HMAC states.
    let hmac: HMACKey
    /// The credential scope this key signs for, `day/region/service/aws4_request`, computed once with the key.
    let credentialScope: String
    /// ``credentialScope``'s bytes.
    let credentialScopeBytes: [UInt8]

    /// Derives the key (four HMACs). Prefer ``SigningKeyCache`` on hot paths.
    public init(secretAccessKey: String, day: String, region: String, service: String) {
        hmac = HMACKey(key: "AWS4" + secretAccessKey).derive(day).derive(region).derive(service).derive("aws4_request")
        credentialScope = "\(day)/\(region)/\(service)/aws4_request"
        credentialScopeBytes = Array(credentialScope.utf8)
    }

    /// The hex signature of `stringToSign`.
    public func signature(for stringToSign: StringToSign) -> String {
        hmac.authenticationCode(for: stringToSign.bytes).hexString
    }
}
