import Crypto
import Foundation
import VideoCore

/// The state of a direct upload, carried by the client between `POST /v1/uploads` and its completion in a
/// signed token (HMAC-SHA256 with the producer's upload secret): nothing is stored until the upload is
/// complete, and a token cannot be forged, reused by another owner, or used after it expires.
struct UploadToken: Codable, Sendable, Equatable {
    /// The video id the record will have.
    var id: UUID
    var owner: String
    var title: String
    var filename: String?
    var jobs: [JobType]
    /// The size the client declared; the stored object must have exactly this size.
    var size: Int64
    /// The S3 multipart upload id, for a multipart direct upload.
    var multipartUploadID: String?
    /// How many parts the multipart upload has.
    var partCount: Int?
    /// Expiry, seconds since 1970.
    var expires: Int64
    /// The caller's metadata, stored with the record at completion.
    var metadata: [String: JSONValue]? = nil
    /// The preset and the processing options resolved at the start.
    var preset: String? = nil
    var options: ProcessingOptions? = nil

    /// Where the client uploads: a staging key no consumer reads. `complete` checks the object there and copies
    /// it to ``sourceKey``, so no URL handed out ever writes where the consumer reads.
    var key: String { VideoKeys.staging(id) }
    /// Where the checked copy lives (the same key as an upload through the API).
    var sourceKey: String { VideoKeys.source(id) }

    /// The token (``SignedToken``, under the upload secret itself).
    func signed(with secret: [UInt8]) throws -> String {
        try SignedToken.sign(self, key: SymmetricKey(data: secret))
    }

    /// The token's content, if it is well-formed, signed with `secret` and not expired.
    static func verify(_ token: String, secret: [UInt8], now: Date = Date()) throws(APIError) -> UploadToken {
        guard let value = SignedToken.open(token, as: UploadToken.self, key: SymmetricKey(data: secret), maximumBytes: 16_384) else {
            throw APIError.notFound("upload")
        }
        guard Double(value.expires) > now.timeIntervalSince1970 else {
            throw APIError(.gone, code: "upload_expired", message: "the upload's URLs have expired; start a new upload")
        }
        return value
    }
}
