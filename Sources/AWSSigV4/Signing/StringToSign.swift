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
    public var bytes: [UInt8] { storage.array }
    /// The bytes, HMAC-ed in place.
    nonisolated(unsafe) let storage: ByteStorage  // immutable once built

    /// The string to sign as text.
    public var text: String { storage.text }

    /// Builds the string to sign of the canonical request's bytes, hashing them.
    init(timestamp: String, credentialScope: [UInt8], canonicalRequest: UnsafeBufferPointer<UInt8>) {
        let digest = SHA256.hash(data: UnsafeRawBufferPointer(canonicalRequest))
        self.storage = ByteStorage.make(capacity: Self.size(timestamp: timestamp, credentialScope: credentialScope)) { output in
            Self.write(timestamp: timestamp, credentialScope: credentialScope, canonicalRequestHash: digest, to: &output)
        }
    }

    /// The size of the string to sign with these parts.
    static func size(timestamp: String, credentialScope: [UInt8]) -> Int {
        algorithmLine.count + timestamp.utf8.count + 1 + credentialScope.count + 1 + 64
    }

    /// Writes the string to sign whose canonical request hashes to `canonicalRequestHash`.
    static func write(timestamp: String, credentialScope: [UInt8], canonicalRequestHash: SHA256.Digest, to output: inout ByteWriter) {
        output.write(algorithmLine)
        output.write(timestamp)
        output.write(UInt8(ascii: "\n"))
        output.write(credentialScope)
        output.write(UInt8(ascii: "\n"))
        output.write(canonicalRequestHash)
    }

    private static let algorithmLine = Array("\(SigV4Signer.algorithm)\n".utf8)
}
