import Foundation
import VideoCore

extension SQLStore {
    func create(_ record: VideoRecord, outboxPayload: String) async throws -> VideoRecord {
        try Self.checkPlainText(record.owner, "owner")
        try Self.checkPlainText(outboxPayload, "the outbox payload")
        guard record.progress.isFinite, record.size >= 0 else {
            throw VideoStoreError(code: .invalidArgument, message: "size must be ≥ 0 and progress a number")
        }
        let now = Self.nowMilliseconds()
        let binds: [SQLValue] = [
            .text(record.id.uuidString), .text(record.owner), .text(VideoStatus.pending.rawValue),
            .optionalText(record.stage?.rawValue), .double(min(max(record.progress, 0), 100)),
            .optionalDouble(record.etaSeconds), .int(record.attempts), .int(record.size),
            .text(try StoreJSON.string(record.jobs)), .text(try StoreJSON.string(record.outputs)),
            .optionalText(try record.error.map(StoreJSON.string)), .text(try StoreJSON.string(record.storedMetadata)),
            .int(VideoTimestamp.milliseconds(record.createdAt)),
            .optionalInt(record.queuedAt.map(VideoTimestamp.milliseconds)),
            .optionalInt(record.startedAt.map(VideoTimestamp.milliseconds)),
            .optionalInt(record.finishedAt.map(VideoTimestamp.milliseconds)), .int(now),
        ]
        let outbox: [SQLValue] = [
            .text(UUID().uuidString), .text(record.id.uuidString), .text(outboxPayload),
            .int(now), .int(now),
        ]
        return try await backend.transaction { db in
            let rows = try await db.query(
                """
                INSERT INTO videos (id, owner, status, stage, progress, eta_seconds, attempts, size, jobs, outputs,
                    error, metadata, created_at, queued_at, started_at, finished_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                RETURNING *
                """, binds)
            try await db.execute(
                """
                INSERT INTO outbox (id, video_id, payload, created_at, not_before, attempts)
                VALUES ($1, $2, $3, $4, $5, 0)
                """, outbox)
            guard let row = rows.first else {
                throw VideoStoreError(code: .database, message: "the insert returned no row")
            }
            return try VideoRecord(row: row)
        }
    }

    func video(id: UUID, owner: String?) async throws -> VideoRecord? {
        var sql = "SELECT * FROM videos WHERE id = $1"
        var binds: [SQLValue] = [.text(id.uuidString)]
        if let owner {
            sql += " AND owner = $2"
            binds.append(.text(owner))
        }
        return try await backend.query(sql, binds).first.map(VideoRecord.init(row:))
    }

    func videos(owner: String?, status: VideoStatus?, cursor: String?, limit: Int) async throws -> VideoPage {
        let limit = min(max(limit, 1), 1000)
        var conditions: [String] = []
        var binds: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let owner { conditions.append("owner = \(bind(.text(owner)))") }
        if let status { conditions.append("status = \(bind(.text(status.rawValue)))") }
        if let cursor {
            let position = try VideoCursor(decoding: cursor)
            let createdAt = bind(.int(position.createdAt))
            let id = bind(.text(position.id.uuidString))
            conditions.append("(created_at < \(createdAt) OR (created_at = \(createdAt) AND id < \(id)))")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM videos \(filter) ORDER BY created_at DESC, id DESC LIMIT \(bind(.int(limit + 1)))"
        var videos = try await backend.query(sql, binds).map(VideoRecord.init(row:))
        var next: String?
        if videos.count > limit {
            videos.removeLast(videos.count - limit)
            if let last = videos.last {
                next = VideoCursor(createdAt: VideoTimestamp.milliseconds(last.createdAt), id: last.id).encoded
            }
        }
        return VideoPage(videos: videos, nextCursor: next)
    }

    func delete(id: UUID, owner: String?) async throws -> Bool {
        try await backend.transaction { db in
            var sql = "DELETE FROM videos WHERE id = $1"
            var binds: [SQLValue] = [.text(id.uuidString)]
            if let owner {
                sql += " AND owner = $2"
                binds.append(.text(owner))
            }
            let deleted = try await db.query(sql + " RETURNING id", binds)
            guard !deleted.isEmpty else { return false }
            try await db.execute("DELETE FROM outbox WHERE video_id = $1", [.text(id.uuidString)])
            return true
        }
    }
}
