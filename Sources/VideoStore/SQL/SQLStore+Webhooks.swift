import Foundation
import VideoCore

extension SQLStore {
    /// Writes one pending delivery of `record`'s status event for each of its owner's endpoints that takes it.
    static func fanOutWebhooks(_ db: any SQLExecutor, record: VideoRecord, now: Int64) async throws {
        guard let type = WebhookEvent.type(for: record.status) else { return }
        let payload = try webhookPayload(type: type, record: record, now: now)
        try await db.execute(
            """
            INSERT INTO webhook_deliveries (id, endpoint_id, owner, event_type, video_id, payload, status, attempts, not_before, created_at)
            SELECT $1 || lower(id), id, owner, $2, $3, $4, 'pending', 0, $5, $5 FROM webhook_endpoints
            WHERE owner = $6 AND (events = '' OR (',' || events || ',') LIKE $7)
            """,
            [
                .text("msg_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") + "_"), .text(type),
                .text(record.id.uuidString), .text(payload), .int(now), .text(record.owner), .text("%,\(type),%"),
            ])
    }

    /// `{"type", "timestamp", "data": {"video": record}}` with the API's dates (ISO 8601, milliseconds).
    static func webhookPayload(type: String, record: VideoRecord, now: Int64) throws -> String {
        struct Payload: Encodable {
            struct Data: Encodable { var video: VideoRecord }
            var type: String
            var timestamp: Date
            var data: Data
        }
        let data = try VideoTimestamp.jsonEncoder(formatting: .withoutEscapingSlashes).encode(
            Payload(type: type, timestamp: VideoTimestamp.date(milliseconds: now), data: .init(video: record)))
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
        let rows = try await backend.query(
            """
            INSERT INTO webhook_endpoints (id, owner, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *
            """,
            [
                .text(UUID().uuidString), .text(owner), .text(url), .text(events.joined(separator: ",")), .text(secret),
                .int(Self.nowMilliseconds()),
            ])
        guard let row = rows.first else { throw VideoStoreError(code: .database, message: "the insert returned no row") }
        return (try WebhookEndpoint(row: row), secret)
    }

    /// ``createWebhookEndpoint(owner:url:events:)`` unless `owner` has `limit` endpoints: the count and the insert in
    /// one transaction that concurrent creates of the same owner wait for, so they cannot pass the cap together.
    /// On SQLite the write transaction serializes them; on PostgreSQL (read committed, where two transactions would
    /// both count the same rows) each first upserts a lock row of the owner's in `leases` — the second waits for the
    /// first to commit, and its count then sees the first's insert — and deletes it again before committing.
    func createWebhookEndpoint(owner: String, url: String, events: [String], limit: Int) async throws
        -> (endpoint: WebhookEndpoint, secret: String)?
    {
        try Self.checkPlainText(owner, "owner")
        try Self.checkPlainText(url, "the URL")
        let secret = Self.newWebhookSecret()
        let lock = "webhook-endpoints/" + owner
        return try await backend.transaction { db in
            try await db.execute(
                """
                INSERT INTO leases (name, holder, expires_at) VALUES ($1, '', 0)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                """, [.text(lock)])
            let count = try await db.query("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE owner = $1", [.text(owner)]).first?.int("n") ?? 0
            var created: (endpoint: WebhookEndpoint, secret: String)?
            if count < Int64(max(limit, 0)) {
                let rows = try await db.query(
                    """
                    INSERT INTO webhook_endpoints (id, owner, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *
                    """,
                    [
                        .text(UUID().uuidString), .text(owner), .text(url), .text(events.joined(separator: ",")), .text(secret),
                        .int(Self.nowMilliseconds()),
                    ])
                guard let row = rows.first else { throw VideoStoreError(code: .database, message: "the insert returned no row") }
                created = (try WebhookEndpoint(row: row), secret)
            }
            try await db.execute("DELETE FROM leases WHERE name = $1", [.text(lock)])
            return created
        }
    }

    /// Deletes up to `limit` delivered or failed deliveries that finished (their last attempt, which is when
    /// `not_before` was last set) before `cutoff`, and up to `limit` deliveries whose endpoint is gone (a status change
    /// that fanned out while its endpoint was being deleted); how many in all. Pending deliveries of live endpoints
    /// are kept, however old (they fail for good after the retry window, then age out here).
    func pruneWebhookDeliveries(finishedBefore cutoff: Date, limit: Int) async throws -> Int {
        let limit = Int64(min(max(limit, 1), 10_000))
        let finished = try await backend.query(
            """
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND not_before < $1 LIMIT $2)
            RETURNING id
            """, [.int(VideoTimestamp.milliseconds(cutoff)), .int(limit)])
        let orphaned = try await backend.query(
            """
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT d.id FROM webhook_deliveries d
                WHERE NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id) LIMIT $1)
            RETURNING id
            """, [.int(limit)])
        return finished.count + orphaned.count
    }

    func webhookEndpoints(owner: String) async throws -> [WebhookEndpoint] {
        try await backend.query("SELECT * FROM webhook_endpoints WHERE owner = $1 ORDER BY created_at, id", [.text(owner)])
            .map(WebhookEndpoint.init(row:))
    }

    func deleteWebhookEndpoint(id: UUID, owner: String) async throws -> Bool {
        try await backend.transaction { db in
            let deleted = try await db.query(
                "DELETE FROM webhook_endpoints WHERE id = $1 AND owner = $2 RETURNING id",
                [.text(id.uuidString), .text(owner)])
            guard !deleted.isEmpty else { return false }
            try await db.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = $1", [.text(id.uuidString)])
            return true
        }
    }

    func rotateWebhookSecret(id: UUID, owner: String, keepPreviousUntil: Date) async throws -> (endpoint: WebhookEndpoint, secret: String)? {
        let secret = Self.newWebhookSecret()
        let rows = try await backend.query(
            """
            UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $1, secret = $2
            WHERE id = $3 AND owner = $4 RETURNING *
            """, [.int(VideoTimestamp.milliseconds(keepPreviousUntil)), .text(secret), .text(id.uuidString), .text(owner)])
        return try rows.first.map { (try WebhookEndpoint(row: $0), secret) }
    }

    func dueWebhookDeliveries(limit: Int, now: Date, lease: Duration) async throws -> [(delivery: WebhookDelivery, endpoint: WebhookSigningEndpoint)] {
        let nowMS = VideoTimestamp.milliseconds(now)
        let leaseEnd = Self.leaseEnd(nowMS, lease)
        let leased = try await backend.query(
            """
            UPDATE webhook_deliveries SET not_before = $1, attempts = attempts + 1
            WHERE status = 'pending' AND not_before <= $2 AND id IN (
                SELECT id FROM webhook_deliveries d WHERE status = 'pending' AND not_before <= $2
                    AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id)
                ORDER BY not_before, id LIMIT $3)
            RETURNING *
            """, [.int(leaseEnd), .int(nowMS), .int(min(max(limit, 1), 1000))]
        ).map(WebhookDelivery.init(row:))
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
        _ = try await backend.query(
            """
            UPDATE webhook_deliveries SET status = $1, last_status_code = $2, last_error = $3, not_before = $4, delivered_at = $5
            WHERE id = $6
            """,
            [
                .text(status.rawValue), .optionalInt(statusCode.map(Int64.init)), .optionalText(error.map { String($0.prefix(1000)) }),
                .int(VideoTimestamp.milliseconds(nextAttempt ?? now)), .optionalInt(delivered ? VideoTimestamp.milliseconds(now) : nil),
                .text(id),
            ])
    }

    func webhookDeliveries(endpointID: UUID, owner: String, limit: Int) async throws -> [WebhookDelivery] {
        try await backend.query(
            """
            SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND owner = $2 ORDER BY created_at DESC, id LIMIT $3
            """, [.text(endpointID.uuidString), .text(owner), .int(min(max(limit, 1), 1000))]
        ).map(WebhookDelivery.init(row:))
    }

    func redeliverWebhook(id: String, endpointID: UUID, owner: String) async throws -> Bool {
        !(try await backend.query(
            """
            UPDATE webhook_deliveries SET status = 'pending', not_before = $1 WHERE id = $2 AND endpoint_id = $3 AND owner = $4 RETURNING id
            """, [.int(Self.nowMilliseconds()), .text(id), .text(endpointID.uuidString), .text(owner)])).isEmpty
    }
}

extension WebhookEndpoint {
    init(row: SQLRow) throws {
        let events = try row.text("events")
        self.init(
            id: try row.uuid("id"), owner: try row.text("owner"), url: try row.text("url"),
            events: events.isEmpty ? [] : events.split(separator: ",").map(String.init), createdAt: try row.date("created_at"))
    }
}

extension WebhookDelivery {
    init(row: SQLRow) throws {
        let statusText = try row.text("status")
        guard let status = Status(rawValue: statusText) else { throw VideoStoreError(code: .corruptData, message: "unknown delivery status \(statusText)") }
        self.init(
            id: try row.text("id"), endpointID: try row.uuid("endpoint_id"), eventType: try row.text("event_type"),
            videoID: try row.uuid("video_id"), payload: try row.text("payload"), status: status,
            attempts: Int(try row.int("attempts")), nextAttemptAt: status == .pending ? try row.date("not_before") : nil,
            lastError: try row.optionalText("last_error"), lastStatusCode: try row.optionalInt("last_status_code").map { Int($0) },
            createdAt: try row.date("created_at"), deliveredAt: try row.optionalDate("delivered_at"))
    }
}

extension VideoStore {
    /// Registers `url` for `owner`'s events of `events` (empty: all) unless `owner` already has `limit` endpoints
    /// (`nil` then): counted and inserted in one transaction, so concurrent registrations cannot pass the cap.
    ///
    /// A store other than SQLite's and PostgreSQL's gets a best effort: counted, created, and deleted again when a
    /// recount finds it past the cap.
    public func createWebhookEndpoint(owner: String, url: String, events: [String], limit: Int) async throws
        -> (endpoint: WebhookEndpoint, secret: String)?
    {
        if let sql = self as? any SQLStoreForwarding {
            return try await sql.store.createWebhookEndpoint(owner: owner, url: url, events: events, limit: limit)
        }
        guard try await webhookEndpoints(owner: owner).count < limit else { return nil }
        let created = try await createWebhookEndpoint(owner: owner, url: url, events: events)
        guard try await webhookEndpoints(owner: owner).prefix(limit).contains(where: { $0.id == created.endpoint.id }) else {
            _ = try await deleteWebhookEndpoint(id: created.endpoint.id, owner: owner)
            return nil
        }
        return created
    }

    /// Deletes up to `limit` delivered or failed deliveries whose last attempt was before `cutoff`, and up to `limit`
    /// deliveries of endpoints that no longer exist; returns how many (call again while it is not 0). Pending
    /// deliveries of existing endpoints are never deleted. A store other than SQLite's and PostgreSQL's deletes nothing.
    public func pruneWebhookDeliveries(finishedBefore cutoff: Date, limit: Int = 1000) async throws -> Int {
        guard let sql = self as? any SQLStoreForwarding else { return 0 }
        return try await sql.store.pruneWebhookDeliveries(finishedBefore: cutoff, limit: limit)
    }
}
