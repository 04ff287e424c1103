import Foundation
import VideoCore

extension SQLStore {
    func queuePosition(of id: UUID) async throws -> Int? {
        try await backend.transaction { db in
            guard
                let row = try await db.query(
                    "SELECT status, queued_at FROM videos WHERE id = $1",
                    [.text(id.uuidString)]
                ).first,
                try row.text("status") == VideoStatus.queued.rawValue,
                let queuedAt = try row.optionalInt("queued_at")
            else { return nil }
            let ahead = try await db.query(
                """
                SELECT COUNT(*) AS n FROM videos
                WHERE status = $1 AND (queued_at < $2 OR (queued_at = $2 AND id < $3))
                """, [.text(VideoStatus.queued.rawValue), .int(queuedAt), .text(id.uuidString)])
            return Int(try ahead.first?.int("n") ?? 0)
        }
    }

    func statusCounts(owner: String?) async throws -> [VideoStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: VideoStatus.allCases.map { ($0, 0) })
        let rows =
            if let owner {
                try await backend.query("SELECT status, COUNT(*) AS n FROM videos WHERE owner = $1 GROUP BY status", [.text(owner)])
            } else {
                try await backend.query("SELECT status, COUNT(*) AS n FROM videos GROUP BY status", [])
            }
        for row in rows {
            if let status = VideoStatus(rawValue: try row.text("status")) { counts[status] = Int(try row.int("n")) }
        }
        return counts
    }

    func recentProcessingSeconds(limit: Int) async throws -> [Double] {
        try await backend.query(
            """
            SELECT started_at, finished_at FROM videos
            WHERE status = $1 AND started_at IS NOT NULL AND finished_at IS NOT NULL
            ORDER BY finished_at DESC, id DESC LIMIT $2
            """, [.text(VideoStatus.completed.rawValue), .int(min(max(limit, 1), 10_000))]
        )
        .map { Double(try $0.int("finished_at") - $0.int("started_at")) / 1000 }
    }
}
