import Foundation
import VideoCore

extension SQLStore {
    /// Writes one pending delivery of `record`'s status event for each of its owner's endpoints that takes it.
    static func fanOutWebhooks(_ db: any SQLExecutor, record: VideoRecord, now: Int64) async throws {
        guard let type = WebhookEvent.type(for: record.status) else { return }
        let payload = try webhookPayload(type: type, record: record, now: now)
        try await db.execute("""
            INSERT INTO webhook_deliveries (id, endpoint_id, owner, event_type, video_id, payload, status, attempts, not_before, created_at)
            SELECT $1 || lower(id), id, owner, $2, $3, $4, 'pending', 0, $5, $5 FROM webhook_endpoints
            WHERE owner = $6 AND (events = '' OR (',' || events || ',') LIKE $7)
            """, [.text("msg_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") + "_"), .text(type),
                  .text(record.id.uuidString), .text(payload), .int(now), .text(record.owner), .text("%,\(type),%")])
    }

    /// `{"type", "timestamp", "data": {"video": record}}` with the API's dates (ISO 8601, milliseconds).
    static func webhookPayload(type: String, record: VideoRecord, now: Int64) throws -> String {
        struct Payload: Encodable {
            struct Data: Encodable { var video: VideoRecord }
            var type: String
            var timestamp: Date
            var data: Data
        }
        let data = try VideoTimestamp.jsonEncoder(formatting: .withoutEscapingSlashes).encode(Payload(type: type, timestamp: VideoTimestamp.date(milliseconds: now), data: .init(video: record)))
        return String(decoding: data, as: UTF8.self)
    }

    /// `whsec_` + 24 random bytes in base64 (the Standard Webhooks form).
    static func newWebhookSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + Data((0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    func createWebhookEndpoint(owner: String, url: String, events: [String]) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        try Self.checkPlainText(owner, "owner")
        try Self.checkPlainText(url, "the URL")
        let secret = Self.newWebhookSecret()
        let rows = try await backend.query("""
            INSERT INTO webhook_endpoints (id, owner, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *
            """, [.text(UUID().uuidString), .text(owner), .text(url), .text(events.joined(separator: ",")), .text(secret),
                  .int(Self.nowMilliseconds())])
        guard let row = rows.first else { throw VideoStoreError(code: .database, message: "the insert returned no row") }
        return (try WebhookEndpoint(row: row), secret)
    }

    func webhookEndpoints(owner: String) async throws -> [WebhookEndpoint] {
        try await backend.query("SELECT * FROM webhook_endpoints WHERE owner = $1 ORDER BY created_at, id", [.text(owner)])
            .map(WebhookEndpoint.init(row:))
    }

    func deleteWebhookEndpoint(id: UUID, owner: String) async throws -> Bool {
        try await backend.transaction { db in
            let deleted = try await db.query("DELETE FROM webhook_endpoints WHERE id = $1 AND owner = $2 RETURNING id",
                                             [.text(id.uuidString), .text(owner)])
            guard !deleted.isEmpty else { return false }
            try await db.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = $1", [.text(id.uuidString)])
            return true
        }
    }

    func rotateWebhookSecret(id: UUID, owner: String, keepPreviousUntil: Date) async throws -> (endpoint: WebhookEndpoint, secret: String)? {
        let secret = Self.newWebhookSecret()
        let rows = try await backend.query("""
            UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $1, secret = $2
            WHERE id = $3 AND owner = $4 RETURNING *
            """, [.int(VideoTimestamp.milliseconds(keepPreviousUntil)), .text(secret), .text(id.uuidString), .text(owner)])
        return try rows.first.map { (try WebhookEndpoint(row: $0), secret) }
    }

    func dueWebhookDeliveries(limit: Int, now: Date, lease: Duration) async throws -> [(delivery: WebhookDelivery, endpoint: WebhookSigningEndpoint)] {
        let nowMS = VideoTimestamp.milliseconds(now)
        let leaseEnd = Self.leaseEnd(nowMS, lease)
        let leased = try await backend.query("""
            UPDATE webhook_deliveries SET not_before = $1, attempts = attempts + 1
            WHERE status = 'pending' AND not_before <= $2 AND id IN (
                SELECT id FROM webhook_deliveries WHERE status = 'pending' AND not_before <= $2 ORDER BY not_before, id LIMIT $3)
            RETURNING *
            """, [.int(leaseEnd), .int(nowMS), .int(min(max(limit, 1), 1000))]).map(WebhookDelivery.init(row:))
        guard !leased.isEmpty else { return [] }
        let ids = Set(leased.map { $0.endpointID })
        var endpoints: [UUID: WebhookSigningEndpoint] = [:]
        for id in ids {
            guard let row = try await backend.query("SELECT * FROM webhook_endpoints WHERE id = $1", [.text(id.uuidString)]).first else { continue }
            var secrets = [try row.text("secret")]
            if let previous = try row.optionalText("previous_secret"), let until = try row.optionalInt("previous_secret_until"), until > nowMS {
                secrets.append(previous)
            }
            endpoints[id] = WebhookSigningEndpoint(endpoint: try WebhookEndpoint(row: row), secrets: secrets)
        }
        return leased.compactMap { delivery in endpoints[delivery.endpointID].map { (delivery, $0) } }
    }

    func recordWebhookAttempt(id: String, delivered: Bool, statusCode: Int?, error: String?, nextAttempt: Date?, now: Date) async throws {
        let status: WebhookDelivery.Status = delivered ? .delivered : (nextAttempt == nil ? .failed : .pending)
        _ = try await backend.query("""
            UPDATE webhook_deliveries SET status = $1, last_status_code = $2, last_error = $3, not_before = $4, delivered_at = $5
            WHERE id = $6
            """, [.text(status.rawValue), .optionalInt(statusCode.map(Int64.init)), .optionalText(error.map { String($0.prefix(1000)) }),
                  .int(VideoTimestamp.milliseconds(nextAttempt ?? now)), .optionalInt(delivered ? VideoTimestamp.milliseconds(now) : nil),
                  .text(id)])
    }

    func webhookDeliveries(endpointID: UUID, owner: String, limit: Int) async throws -> [WebhookDelivery] {
        try await backend.query("""
            SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND owner = $2 ORDER BY created_at DESC, id LIMIT $3
            """, [.text(endpointID.uuidString), .text(owner), .int(min(max(limit, 1), 1000))]).map(WebhookDelivery.init(row:))
    }

    func redeliverWebhook(id: String, endpointID: UUID, owner: String) async throws -> Bool {
        !(try await backend.query("""
            UPDATE webhook_deliveries SET status = 'pending', not_before = $1 WHERE id = $2 AND endpoint_id = $3 AND owner = $4 RETURNING id
            """, [.int(Self.nowMilliseconds()), .text(id), .text(endpointID.uuidString), .text(owner)])).isEmpty
    }
}

extension WebhookEndpoint {
    init(row: SQLRow) throws {
        let events = try row.text("events")
        self.init(id: try row.uuid("id"), owner: try row.text("owner"), url: try row.text("url"),
                  events: events.isEmpty ? [] : events.split(separator: ",").map(String.init), createdAt: try row.date("created_at"))
    }
}

extension WebhookDelivery {
    init(row: SQLRow) throws {
        let statusText = try row.text("status")
        guard let status = Status(rawValue: statusText) else { throw VideoStoreError(code: .corruptData, message: "unknown delivery status \(statusText)") }
        self.init(id: try row.text("id"), endpointID: try row.uuid("endpoint_id"), eventType: try row.text("event_type"),
                  videoID: try row.uuid("video_id"), payload: try row.text("payload"), status: status,
                  attempts: Int(try row.int("attempts")), nextAttemptAt: status == .pending ? try row.date("not_before") : nil,
                  lastError: try row.optionalText("last_error"), lastStatusCode: try row.optionalInt("last_status_code").map { Int($0) },
                  createdAt: try row.date("created_at"), deliveredAt: try row.optionalDate("delivered_at"))
    }
}
