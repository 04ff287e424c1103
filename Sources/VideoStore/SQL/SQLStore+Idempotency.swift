import Foundation
import VideoCore

extension SQLStore {
    func reserveIdempotencyKey(owner: String, key: String, fingerprint: String, now: Date) async throws -> IdempotencyReservation {
        try Self.checkPlainText(owner, "owner")
        try Self.checkPlainText(key, "the idempotency key")
        let nowMS = VideoTimestamp.milliseconds(now)
        let expired = nowMS - Int64(IdempotencyKeys.retention * 1000)
        let abandoned = nowMS - Int64(IdempotencyKeys.abandonAfter * 1000)
        return try await backend.transaction { db in
            _ = try await db.execute("DELETE FROM idempotency_keys WHERE created_at <= $1", [.int(expired)])
            _ = try await db.execute(
                "DELETE FROM idempotency_keys WHERE owner = $1 AND idempotency_key = $2 AND status IS NULL AND created_at <= $3",
                [.text(owner), .text(key), .int(abandoned)])
            let inserted = try await db.query(
                """
                INSERT INTO idempotency_keys (owner, idempotency_key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (owner, idempotency_key) DO NOTHING RETURNING idempotency_key
                """, [.text(owner), .text(key), .text(fingerprint), .int(nowMS)])
            if !inserted.isEmpty { return .reserved }
            guard
                let row = try await db.query(
                    "SELECT * FROM idempotency_keys WHERE owner = $1 AND idempotency_key = $2",
                    [.text(owner), .text(key)]
                ).first
            else { return .inProgress }
            guard try row.text("fingerprint") == fingerprint else { return .mismatch }
            guard let status = try row.optionalInt("status") else { return .inProgress }
            return .completed(status: Int(status), response: try row.optionalText("response") ?? "")
        }
    }

    func completeIdempotencyKey(owner: String, key: String, status: Int, response: String) async throws {
        _ = try await backend.query(
            "UPDATE idempotency_keys SET status = $1, response = $2 WHERE owner = $3 AND idempotency_key = $4",
            [.int(status), .text(response), .text(owner), .text(key)])
    }

    func releaseIdempotencyKey(owner: String, key: String) async throws {
        _ = try await backend.query(
            "DELETE FROM idempotency_keys WHERE owner = $1 AND idempotency_key = $2 AND status IS NULL",
            [.text(owner), .text(key)])
    }
}
