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
        self.init(timestamp: date.timestamp, credentialScope: Array(credentialScope.utf8), canonicalRequest: canonicalRequest.bytes)
    }

    /// Builds the string to sign of the canonical request's `bytes`, hashing them.
    init(timestamp: String, credentialScope: [UInt8], canonicalRequest: [UInt8]) {
        var hash = SHA256()
        canonicalRequest.withUnsafeBytes { hash.update(bufferPointer: $0) }
        let digest = hash.finalize()
        let count = Self.algorithmLine.count + timestamp.utf8.count + 1 + credentialScope.count + 1 + 64
        self.bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, written in
            guard var output = ByteWriter(buffer) else { return }
            output.write(Self.algorithmLine)
            output.write(timestamp)
            output.write(UInt8(ascii: "\n"))
            output.write(credentialScope)
            output.write(UInt8(ascii: "\n"))
            let hexStart = output.count
            Hex.write(digest, to: UnsafeMutableBufferPointer(rebasing: buffer[hexStart..<(hexStart + 64)]))
            written = hexStart + 64
        }
    }

    private static let algorithmLine = Array("\(SigV4Signer.algorithm)\n".utf8)
}
