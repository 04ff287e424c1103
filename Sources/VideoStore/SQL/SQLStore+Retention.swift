import Foundation
import VideoCore

extension SQLStore {
    func acquireLease(name: String, holder: String, until: Date, now: Date) async throws -> Bool {
        try Self.checkPlainText(name, "the lease's name")
        try Self.checkPlainText(holder, "the lease's holder")
        let rows = try await backend.query(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE leases.expires_at < $4 OR leases.holder = excluded.holder
            RETURNING holder
            """, [.text(name), .text(holder), .int(VideoTimestamp.milliseconds(until)), .int(VideoTimestamp.milliseconds(now))])
        return try rows.first?.text("holder") == holder
    }

    func finishedVideos(before cutoff: Date, owners: [String]?, excluding excluded: [String], limit: Int) async throws -> [VideoRecord] {
        var binds: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let final = [VideoStatus.completed, .failed, .cancelled].map { bind(.text($0.rawValue)) }.joined(separator: ", ")
        var conditions = ["status IN (\(final))", "finished_at IS NOT NULL", "finished_at < \(bind(.int(VideoTimestamp.milliseconds(cutoff))))"]
        if let owners {
            guard !owners.isEmpty else { return [] }
            conditions.append("owner IN (\(owners.map { bind(.text($0)) }.joined(separator: ", ")))")
        }
        if !excluded.isEmpty { conditions.append("owner NOT IN (\(excluded.map { bind(.text($0)) }.joined(separator: ", ")))") }
        let sql = "SELECT * FROM videos WHERE \(conditions.joined(separator: " AND ")) ORDER BY finished_at LIMIT \(bind(.int(min(max(limit, 1), 1000))))"
        return try await backend.query(sql, binds).map(VideoRecord.init(row:))
    }
}
