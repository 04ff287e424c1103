import Crypto
import Foundation

/// What the signer states about the request body: the `x-amz-content-sha256` value that goes into
/// the canonical request.
public enum SigV4Body: Sendable, Hashable {
    /// The hex SHA-256 of the body (lower case), as the caller states it; ``bytes(_:)`` hashes a body in memory.
    case hash(String)
    /// The SHA-256 of the body, as ``bytes(_:)`` computes it: written in hex where it is signed, without a string.
    /// (`.hash` and `.sha256` of the same body sign alike but are not equal values.)
    case sha256(SHA256.Digest)
    /// `UNSIGNED-PAYLOAD`: the body is not part of the signature (S3 over HTTPS, presigned URLs).
    case unsigned
    /// The body is sent `aws-chunked`: signed chunk by chunk, or unsigned with a checksum trailer.
    case streaming(StreamingPayload)

    /// The hash of an empty body.
    public static let empty = SigV4Body.hash("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

    /// The SHA-256 of `body`, hashed now.
    public static func bytes(_ body: some DataProtocol) -> SigV4Body {
        let digest =
            body.withContiguousStorageIfAvailable { buffer in
                var hash = SHA256()
                hash.update(bufferPointer: UnsafeRawBufferPointer(buffer))
                return hash.finalize()
            } ?? SHA256.hash(data: body)
        return .sha256(digest)
    }

    /// The value that stands in the canonical request's last line.
    public var payloadHash: String {
        switch self {
        case .hash(let hash): hash
        case .sha256(let digest): digest.hexString
        case .unsigned: "UNSIGNED-PAYLOAD"
        case .streaming(let payload): payload.mode.contentSHA256
        }
    }

    /// The number of bytes of ``payloadHash``, without making it.
    var payloadHashCount: Int {
        if case .sha256 = self { return 64 }
        return payloadHash.utf8.count
    }

    /// Writes ``payloadHash``; a ``sha256(_:)`` digest is written in hex straight into `output`.
    func writePayloadHash(to output: inout ByteWriter) {
        if case .sha256(let digest) = self {
            output.write(digest)
        } else {
            output.write(payloadHash)
        }
    }
}
