import Crypto
import Foundation

/// A checksum S3 verifies from an `aws-chunked` trailer (`x-amz-checksum-…`).
public enum ChecksumAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// CRC-32C (Castagnoli).
    case crc32c
    /// SHA-256.
    case sha256

    /// The trailer and header name, e.g. `x-amz-checksum-crc32c`.
    public var headerName: String { "x-amz-checksum-\(rawValue)" }

    /// The length of the base64 value (4 bytes → 8 characters, 32 bytes → 44).
    var base64Length: Int {
        switch self {
        case .crc32c: 8
        case .sha256: 44
        }
    }
}

/// A checksum being computed over a body as it streams.
public struct RunningChecksum: Sendable {
    private enum State: Sendable {
        case crc32c(CRC32C)
        case sha256(SHA256)
    }

    private var state: State
    /// The algorithm.
    public let algorithm: ChecksumAlgorithm

    /// Starts an empty checksum.
    public init(_ algorithm: ChecksumAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .crc32c: state = .crc32c(CRC32C())
        case .sha256: state = .sha256(SHA256())
        }
    }

    /// Adds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .crc32c(var crc):
            crc.update(bytes)
            state = .crc32c(crc)
        case .sha256(var hash):
            hash.update(bufferPointer: bytes)
            state = .sha256(hash)
        }
    }

    /// The checksum in base64, as S3 expects it in `x-amz-checksum-*`.
    public var base64: String {
        switch state {
        case .crc32c(let crc): Data(crc.bigEndianBytes).base64EncodedString()
        case .sha256(let hash): Data(hash.finalize()).base64EncodedString()
        }
    }
}
