import Foundation
import VideoCore

extension SQLStore {
    func dueOutbox(limit: Int, now: Date, lease: Duration) async throws -> [OutboxEntry] {
        let now = VideoTimestamp.milliseconds(now)
        let leaseEnd = Self.leaseEnd(now, lease)
        let rows = try await backend.query(
            """
            UPDATE outbox SET not_before = $1, attempts = attempts + 1
            WHERE not_before <= $2 AND id IN (
                SELECT id FROM outbox WHERE not_before <= $2 ORDER BY not_before, created_at, id LIMIT $3)
            RETURNING *
            """, [.int(leaseEnd), .int(now), .int(min(max(limit, 1), 1000))])
        return try rows.map(OutboxEntry.init(row:))
            .sorted { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }
    }

    func outboxSent(entryID: UUID, videoID: UUID, messageID: String?) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        let messageIDAssignment = try Self.messageIDAssignment(messageID)
        return try await backend.transaction { db in
            try await db.execute("DELETE FROM outbox WHERE id = $1", [.text(entryID.uuidString)])
            let queued = try await Self.update(
                db, id: videoID, from: [.pending], to: .queued,
                set: [.value("queued_at", .int(now))] + messageIDAssignment, now: now)
            if queued == nil, let messageID {
                // A retried record is queued already and its message id cleared: this is its new message (unless
                // a consumer claimed it first; then the claim recorded the id).
                try await db.execute(
                    """
                    UPDATE videos SET message_id = $1, updated_at = $2
                    WHERE id = $3 AND status = $4 AND message_id IS NULL
                    """, [.text(messageID), .int(now), .text(videoID.uuidString), .text(VideoStatus.queued.rawValue)])
            }
            return queued
        }
    }

    func rescheduleOutbox(entryID: UUID, notBefore: Date, error: String?) async throws -> Bool {
        let rows = try await backend.query(
            "UPDATE outbox SET not_before = $1, last_error = $2 WHERE id = $3 RETURNING id",
            [
                .int(VideoTimestamp.milliseconds(notBefore)), .optionalText(try error.map(StoreJSON.string)),
                .text(entryID.uuidString),
            ])
        return !rows.isEmpty
    }

    func outboxDepth() async throws -> Int {
        Int(try await backend.query("SELECT COUNT(*) AS n FROM outbox", []).first?.int("n") ?? 0)
    }
}
