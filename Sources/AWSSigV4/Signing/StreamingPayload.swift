/// An `aws-chunked` body described up front, so that its framed length can be signed before any byte is sent.
///
/// S3 accepts two of the forms:
/// - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: every chunk carries a signature chained from the previous one,
///   the first seeded by the request's own signature (for plain HTTP, where nothing else protects the body);
/// - `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: chunks carry no signature and a checksum of the whole body
///   follows the last chunk as a trailer (for HTTPS).
public struct StreamingPayload: Sendable, Hashable {
    /// How chunks are framed.
    public enum Mode: Sendable, Hashable {
        /// Each chunk signed: `hex(size);chunk-signature=…\r\n<data>\r\n`.
        case signedChunks
        /// Chunks unsigned, `hex(size)\r\n<data>\r\n`, then a checksum trailer.
        case unsignedWithTrailer(ChecksumAlgorithm)

        /// The `x-amz-content-sha256` value of this mode.
        public var contentSHA256: String {
            switch self {
            case .signedChunks: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
            case .unsignedWithTrailer: "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
            }
        }
    }

    /// The framing.
    public let mode: Mode
    /// The length of the body before framing (`x-amz-decoded-content-length`).
    public let decodedLength: Int
    /// The size of every chunk but the last (S3 wants at least 8 KiB).
    public let chunkSize: Int

    /// Signed chunks of `chunkSize` bytes (64 KiB by default) for a body of `decodedLength` bytes.
    public static func signed(decodedLength: Int, chunkSize: Int = 65_536) throws(SigV4Error) -> StreamingPayload {
        try StreamingPayload(mode: .signedChunks, decodedLength: decodedLength, chunkSize: chunkSize)
    }

    /// Unsigned chunks followed by a checksum trailer.
    public static func unsignedTrailer(decodedLength: Int, checksum: ChecksumAlgorithm, chunkSize: Int = 65_536) throws(SigV4Error) -> StreamingPayload {
        try StreamingPayload(mode: .unsignedWithTrailer(checksum), decodedLength: decodedLength, chunkSize: chunkSize)
    }

    private init(mode: Mode, decodedLength: Int, chunkSize: Int) throws(SigV4Error) {
        guard decodedLength >= 0 else {
            throw SigV4Error(code: .invalidStreamingPayload, message: "decoded length \(decodedLength) is negative")
        }
        guard chunkSize > 0 else {
            throw SigV4Error(code: .invalidStreamingPayload, message: "chunk size \(chunkSize) must be positive")
        }
        self.mode = mode
        self.decodedLength = decodedLength
        self.chunkSize = chunkSize
    }

    /// The `Content-Length` of the framed body: data plus every chunk's header and the final chunk.
    public var encodedLength: Int {
        let fullChunks = decodedLength / chunkSize
        let lastChunk = decodedLength % chunkSize
        var length = decodedLength + fullChunks * frameOverhead(forSize: chunkSize)
        if lastChunk > 0 { length += frameOverhead(forSize: lastChunk) }
        switch mode {
        case .signedChunks:
            length += frameOverhead(forSize: 0)
        case .unsignedWithTrailer(let algorithm):
            // "0\r\n" + "<name>:<base64>\r\n" + "\r\n"
            length += 3 + algorithm.headerName.utf8.count + 1 + algorithm.base64Length + 2 + 2
        }
        return length
    }

    /// Bytes a chunk of `size` adds around its data.
    func frameOverhead(forSize size: Int) -> Int {
        let hexDigits = String(size, radix: 16).utf8.count
        switch mode {
        case .signedChunks:
            return hexDigits + ";chunk-signature=".utf8.count + 64 + 2 + 2
        case .unsignedWithTrailer:
            return hexDigits + 2 + 2
        }
    }
}
