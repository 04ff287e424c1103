import Foundation
import VideoCore

/// The one implementation of ``VideoStore`` over either database: the SQL is portable, the backend binds and runs
/// it. ``SQLiteVideoStore`` and ``PostgresVideoStore`` forward to it.
struct SQLStore: Sendable {
    let backend: any SQLBackend

    /// The store's clock, to the millisecond.
    static func nowMilliseconds() -> Int64 { VideoTimestamp.milliseconds(Date()) }

    /// When a lease of `lease` taken at `now` (milliseconds) ends, in milliseconds (a negative lease is none).
    static func leaseEnd(_ now: Int64, _ lease: Duration) -> Int64 {
        let (seconds, attoseconds) = lease.components
        return now + max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Refuses strings kept in plain TEXT columns that a database cannot hold exactly (NUL bytes: PostgreSQL
    /// refuses them, SQLite's reader cuts them off). Free text goes into JSON columns instead.
    static func checkPlainText(_ value: String, _ name: String) throws {
        if value.utf8.contains(0) {
            throw VideoStoreError(code: .invalidArgument, message: "\(name) must not contain NUL bytes")
        }
    }
}

/// The free-text fields of a record, stored as one JSON document (`metadata`).
struct VideoMetadata: Codable {
    var title: String
    var originalFilename: String
    var sourceBucket: String
    var sourceKey: String
    var contentType: String
    var sha256: String?
    var sourceETag: String?
    /// The caller's metadata (absent in records written before it existed).
    var callerMetadata: [String: JSONValue]?
    /// The preset's name and the processing options (absent in records written before they existed).
    var preset: String?
    var options: ProcessingOptions?
}

extension VideoRecord {
    /// Reads a `videos` row.
    init(row: SQLRow) throws {
        let metadata = try row.json(VideoMetadata.self, "metadata")
        let statusText = try row.text("status")
        guard let status = VideoStatus(rawValue: statusText) else {
            throw VideoStoreError(code: .corruptData, message: "unknown status \(statusText)")
        }
        let stage = try row.optionalText("stage").map { text in
            guard let stage = VideoStage(rawValue: text) else {
                throw VideoStoreError(code: .corruptData, message: "unknown stage \(text)")
            }
            return stage
        }
        self.init(
            id: try row.uuid("id"), owner: try row.text("owner"), title: metadata.title,
            originalFilename: metadata.originalFilename, sourceBucket: metadata.sourceBucket,
            sourceKey: metadata.sourceKey, size: try row.int("size"), sha256: metadata.sha256,
            contentType: metadata.contentType, jobs: try row.json([JobType].self, "jobs"), status: status,
            stage: stage, progress: try row.double("progress"), etaSeconds: try row.optionalDouble("eta_seconds"),
            attempts: Int(try row.int("attempts")),
            error: try row.optionalText("error") == nil ? nil : try row.json(VideoFailure.self, "error"),
            outputs: try row.json([VideoOutput].self, "outputs"), createdAt: try row.date("created_at"),
            queuedAt: try row.optionalDate("queued_at"), startedAt: try row.optionalDate("started_at"),
            finishedAt: try row.optionalDate("finished_at"), updatedAt: try row.date("updated_at"),
            messageID: try row.optionalText("message_id"), sourceETag: metadata.sourceETag, metadata: metadata.callerMetadata,
            preset: metadata.preset, options: metadata.options)
    }

    var storedMetadata: VideoMetadata {
        VideoMetadata(
            title: title, originalFilename: originalFilename, sourceBucket: sourceBucket,
            sourceKey: sourceKey, contentType: contentType, sha256: sha256, sourceETag: sourceETag,
            callerMetadata: self.metadata, preset: preset, options: options)
    }
}

extension OutboxEntry {
    /// Reads an `outbox` row.
    init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), videoID: try row.uuid("video_id"), payload: try row.text("payload"),
            createdAt: try row.date("created_at"), notBefore: try row.date("not_before"),
            attempts: Int(try row.int("attempts")),
            lastError: try row.optionalText("last_error") == nil ? nil : try row.json(String.self, "last_error"))
    }
}

extension APIKey {
    /// Reads an `api_keys` row.
    init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), owner: try row.text("owner"), name: try row.text("name"),
            isAdmin: try row.int("is_admin") != 0, createdAt: try row.date("created_at"),
            revokedAt: try row.optionalDate("revoked_at"))
    }
}
