import Crypto

/// Signs the chunks of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body, each signature chained from the
/// previous one (the first from the request's seed signature):
///
/// ```
/// AWS4-HMAC-SHA256-PAYLOAD
/// <X-Amz-Date>
/// <credential scope>
/// <previous signature>
/// <SHA-256 of the empty string>
/// <SHA-256 of the chunk>
/// ```
public struct ChunkSigner: Sendable {
    /// The signature of the last chunk signed (the seed signature before the first).
    public private(set) var previousSignature: String
    private let signingKey: SigningKey
    private let prefix: [UInt8]

    private static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    init(seedSignature: String, signingKey: SigningKey, date: AMZDate, credentialScope: String) {
        self.previousSignature = seedSignature
        self.signingKey = signingKey
        self.prefix = Array("AWS4-HMAC-SHA256-PAYLOAD\n\(date.timestamp)\n\(credentialScope)\n".utf8)
    }

    /// Signs the next chunk (an empty chunk is the final one) and returns its signature.
    public mutating func sign(chunk: UnsafeRawBufferPointer) -> String {
        var stringToSign = prefix
        stringToSign.reserveCapacity(prefix.count + 64 * 3 + 2)
        stringToSign.append(contentsOf: previousSignature.utf8)
        stringToSign.append(UInt8(ascii: "\n"))
        stringToSign.append(contentsOf: Self.emptyHash.utf8)
        stringToSign.append(UInt8(ascii: "\n"))
        var chunkHash = SHA256()
        chunkHash.update(bufferPointer: chunk)
        Hex.append(chunkHash.finalize(), to: &stringToSign)
        previousSignature = signingKey.hmac.authenticationCode(for: stringToSign).hexString
        return previousSignature
    }

    /// Signs the next chunk's bytes.
    public mutating func sign(chunk: some Sequence<UInt8>) -> String {
        if let signature = chunk.withContiguousStorageIfAvailable({ sign(chunk: UnsafeRawBufferPointer($0)) }) {
            return signature
        }
        return Array(chunk).withUnsafeBytes { sign(chunk: $0) }
    }
}
