import Crypto

/// The string to sign (task 2 of SigV4):
///
/// ```
/// AWS4-HMAC-SHA256
/// 20150830T123600Z
/// 20150830/us-east-1/service/aws4_request
/// <hex SHA-256 of the canonical request>
/// ```
public struct StringToSign: Sendable {
    /// The bytes that are HMAC-ed with the signing key.
    public let bytes: [UInt8]

    /// The string to sign as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Builds the string to sign of `canonicalRequest`.
    init(date: AMZDate, credentialScope: String, canonicalRequest: CanonicalRequest) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(SigV4Signer.algorithm.utf8.count + credentialScope.utf8.count + 16 + 64 + 3)
        bytes.append(contentsOf: SigV4Signer.algorithm.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: date.timestamp.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: credentialScope.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var hash = SHA256()
        canonicalRequest.bytes.withUnsafeBytes { hash.update(bufferPointer: $0) }
        Hex.append(hash.finalize(), to: &bytes)
        self.bytes = bytes
    }
}
