import AWSSigV4

/// How the S3 client addresses buckets, streams bodies and splits uploads.
public struct S3ClientOptions: Sendable {
    /// How bucket names go into requests.
    public enum Addressing: Sendable, Hashable {
        /// Virtual-hosted (`bucket.s3.region.amazonaws.com/key`) on AWS's own endpoints for DNS-compatible
        /// names, path-style (`endpoint/bucket/key`) elsewhere (LocalStack, MinIO, custom endpoints).
        case automatic
        /// Always `endpoint/bucket/key`.
        case path
        /// Always `bucket.endpoint/key`.
        case virtualHosted
    }

    /// How streamed upload bodies are signed.
    public enum PayloadSigning: Sendable, Hashable {
        /// Signed `aws-chunked` chunks over plain HTTP (nothing else protects the body there),
        /// `UNSIGNED-PAYLOAD` over HTTPS (TLS does).
        case automatic
        /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: every chunk signed.
        case signedChunks
        /// `UNSIGNED-PAYLOAD`: the body is sent as it is.
        case unsigned
        /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks and a checksum trailer S3 verifies.
        case unsignedWithChecksumTrailer(ChecksumAlgorithm)
    }

    /// Bucket addressing; ``Addressing/automatic`` by default.
    public var addressing: Addressing = .automatic
    /// Body signing of streamed uploads; ``PayloadSigning/automatic`` by default.
    public var payloadSigning: PayloadSigning = .automatic
    /// Files and streams at least this large are uploaded in parts (16 MiB).
    public var multipartThreshold: Int = 16 << 20
    /// The size of every part but the last (8 MiB; S3 needs at least 5 MiB and at most 10,000 parts, so a
    /// larger size is chosen for files above 78 GiB).
    public var partSize: Int = 8 << 20
    /// Parts uploaded at once (4). A streamed upload holds at most `partSize × (maximumConcurrentParts + 1)` bytes.
    public var maximumConcurrentParts: Int = 4
    /// The `aws-chunked` chunk size (256 KiB; S3 needs at least 8 KiB).
    public var chunkSize: Int = 256 << 10
    /// The size of each read from a file (1 MiB).
    public var fileReadSize: Int = 1 << 20
    /// How often a download resumes after a dropped connection before it gives up (5).
    public var downloadResumeAttempts: Int = 5

    /// The defaults.
    public init() {}

    /// The part size for an upload of `size` bytes: ``partSize``, grown so that at most 10,000 parts are needed.
    public func partSize(forUploadOf size: Int) -> Int {
        let minimum = (size + S3Limits.maximumParts - 1) / S3Limits.maximumParts
        return max(partSize, S3Limits.minimumPartSize, minimum)
    }
}

/// The limits S3 sets on uploads.
public enum S3Limits {
    /// Every part but the last must be at least 5 MiB.
    public static let minimumPartSize = 5 << 20
    /// A part is at most 5 GiB.
    public static let maximumPartSize = 5 << 30
    /// At most 10,000 parts.
    public static let maximumParts = 10_000
    /// A single PutObject is at most 5 GiB.
    public static let maximumSinglePutSize = 5 << 30
    /// DeleteObjects takes at most 1,000 keys.
    public static let maximumKeysPerDelete = 1_000
}
