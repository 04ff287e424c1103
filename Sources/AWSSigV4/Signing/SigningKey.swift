/// The SigV4 signing key (task 3):
/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`,
/// valid for one day, region and service.
public struct SigningKey: Sendable {
    /// The key and its scope, shared: copying a signing key costs one retain.
    private final class Storage: Sendable {
        let hmac: HMACKey
        let credentialScope: String
        let credentialScopeBytes: [UInt8]

        init(hmac: HMACKey, credentialScope: String) {
            self.hmac = hmac
            self.credentialScope = credentialScope
            self.credentialScopeBytes = Array(credentialScope.utf8)
        }
    }

    private let storage: Storage

    /// The key, as pre-keyed HMAC states.
    var hmac: HMACKey { storage.hmac }
    /// The credential scope this key signs for, `day/region/service/aws4_request`, computed once with the key.
    var credentialScope: String { storage.credentialScope }
    /// ``credentialScope``'s bytes.
    var credentialScopeBytes: [UInt8] { storage.credentialScopeBytes }

    /// Derives the key (four HMACs). Prefer ``SigningKeyCache`` on hot paths.
    public init(secretAccessKey: String, day: String, region: String, service: String) {
        storage = Storage(hmac: HMACKey(key: "AWS4" + secretAccessKey).derive(day).derive(region).derive(service).derive("aws4_request"),
                          credentialScope: "\(day)/\(region)/\(service)/aws4_request")
    }

    /// The hex signature of `stringToSign`.
    public func signature(for stringToSign: StringToSign) -> String {
        stringToSign.storage.withBytes { hmac.authenticationCode(for: UnsafeRawBufferPointer($0)) }.hexString
    }
}
