import Foundation
import Logging
import Metrics
import NIOCore
import S3Client
import VideoCore
import VideoStore

/// Takes an upload from the first byte to a queued record: streams it into S3 (multipart, bounded memory)
/// while hashing and checking it, verifies the client's checksums, writes the record and its outbox row in
/// one transaction, then asks the dispatcher to send the message at once.
///
/// A failure before the record exists deletes what reached S3 (and a failed multipart upload is aborted by
/// the S3 client), so a rejected upload leaves nothing behind.
struct VideoIngestor: Sendable {
    let configuration: ProducerConfiguration
    let store: any VideoStore
    let s3: S3Client
    let dispatcher: OutboxDispatcher
    let logger: Logger

    /// What the client said about the upload.
    struct Upload: Sendable {
        var owner: String
        var title: String
        var filename: String?
        var jobs: [JobType]
        var declaredSHA256: String?
        var declaredMD5: String?
        /// The caller's metadata (``VideoCore/CallerMetadata``).
        var metadata: [String: JSONValue]?
        /// The preset asked for (`nil`: the default), then the one resolved.
        var preset: String? = nil
        /// The caller's processing options, then the preset's with them over it.
        var options: ProcessingOptions? = nil
    }

    /// Ingests `body` (the file's bytes) and returns the stored record. `complete` may fill in what only the
    /// body told (a multipart form's title field after its file) once the bytes are stored.
    func ingest<Body: AsyncSequence>(
        _ body: Body, upload: Upload,
        complete: (inout Upload) throws -> Void = { _ in }
    ) async throws -> VideoRecord where Body.Element == ByteBuffer {
        var upload = upload
        let id = UUID()
        let stream = IngestStream(base: body, limit: configuration.maximumUploadBytes, wantsMD5: upload.declaredMD5 != nil)
        // The key is ours: the id and a fixed name; the extension comes from the sniffed container after the upload.
        let uploadKey = VideoKeys.source(id)
        let started = ContinuousClock.now
        let result: S3UploadResult
        do {
            result = try await s3.upload(stream, bucket: configuration.bucket, key: uploadKey, contentType: "application/octet-stream")
        } catch {
            Counter(label: "videoqueue_producer_uploads_rejected_total", dimensions: [("reason", Self.reason(error))]).increment()
            throw error
        }
        let seen = stream.summary.value
        do {
            try complete(&upload)
            if let declared = upload.declaredSHA256, let actual = seen.sha256Hex, !Self.sha256Matches(declared: declared, actual: actual) {
                throw APIError.badRequest("Content-SHA256 does not match the uploaded bytes (got \(actual))", code: "checksum_mismatch")
            }
            if let declared = upload.declaredMD5, declared != seen.md5Base64 {
                throw APIError.badRequest("Content-MD5 does not match the uploaded bytes", code: "checksum_mismatch")
            }
            let format = seen.format ?? .mp4
            let stored = try await register(
                id: id, upload: upload, key: uploadKey, size: seen.size, sha256: seen.sha256Hex, eTag: result.eTag,
                format: format)
            Timer(label: "videoqueue_producer_upload_duration_seconds").record(duration: ContinuousClock.now - started)
            Counter(label: "videoqueue_producer_upload_bytes_total").increment(by: Int(seen.size))
            logger.info(
                "video ingested",
                metadata: [
                    "video_id": "\(id)", "bytes": "\(seen.size)", "parts": "\(result.partCount)", "format": "\(format.name)",
                ])
            return stored
        } catch {
            // Nothing may stay behind a rejected upload.
            do {
                try await s3.deleteObject(bucket: configuration.bucket, key: uploadKey)
            } catch let deleteError {
                logger.error(
                    "could not delete a rejected upload (the orphan sweeper will)",
                    metadata: [
                        "key": "\(uploadKey)", "error": "\(deleteError)",
                    ])
            }
            Counter(label: "videoqueue_producer_uploads_rejected_total", dimensions: [("reason", Self.reason(error))]).increment()
            throw error
        }
    }

    /// Stores the record of an object already in S3 (status `pending`) with its outbox row in one
    /// transaction, and nudges the dispatcher to send it now.
    func register(
        id: UUID, upload: Upload, key: String, size: Int64, sha256: String?, eTag: String?,
        format: ContainerFormat
    ) async throws -> VideoRecord {
        let record = VideoRecord(
            id: id, owner: upload.owner, title: upload.title,
            originalFilename: FilenameSanitizer.sanitize(upload.filename),
            sourceBucket: configuration.bucket, sourceKey: key, size: size,
            sha256: sha256, contentType: format.contentType,
            jobs: upload.jobs.isEmpty ? configuration.defaultJobs : upload.jobs, sourceETag: eTag,
            metadata: upload.metadata, preset: upload.preset, options: upload.options.flatMap { $0.isEmpty ? nil : $0 })
        let payload = try QueueMessage(video: record).encodedString()
        let stored = try await store.create(record, outboxPayload: payload)
        dispatcher.nudge()
        return stored
    }

    /// Hex or base64 SHA-256 from the client, compared with ours.
    static func sha256Matches(declared: String, actual: String) -> Bool {
        if declared.lowercased() == actual { return true }
        guard let data = Data(base64Encoded: declared) else { return false }
        return hex(data) == actual
    }

    /// Lower-case hexadecimal, as the record keeps a SHA-256.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func reason(_ error: any Error) -> String {
        (error as? APIError)?.code ?? "Error"
    }
}
