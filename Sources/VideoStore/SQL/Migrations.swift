import VideoCore

/// One schema change, applied once and recorded in `schema_migrations`.
struct Migration: Sendable {
    var version: Int
    var name: String
    var statements: [String]
}

/// The schema, portable between SQLite and PostgreSQL: TEXT ids (upper-case UUIDs), BIGINT times in
/// milliseconds since the Unix epoch, JSON in TEXT columns (PostgreSQL JSONB cannot hold `\u0000`).
/// Free-text fields the store never filters on (title, file name, source bucket and key, content type,
/// SHA-256) are one JSON document, `metadata`, so NUL bytes and any unicode round-trip on both databases.
enum Migrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "videos, outbox, api_keys",
            statements: [
                """
                CREATE TABLE videos (
                    id TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,
                    status TEXT NOT NULL,
                    stage TEXT,
                    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
                    eta_seconds DOUBLE PRECISION,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    size BIGINT NOT NULL,
                    jobs TEXT NOT NULL,
                    outputs TEXT NOT NULL,
                    error TEXT,
                    metadata TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    queued_at BIGINT,
                    started_at BIGINT,
                    finished_at BIGINT,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX videos_by_created ON videos (created_at, id)",
                "CREATE INDEX videos_by_owner ON videos (owner, created_at, id)",
                "CREATE INDEX videos_by_status ON videos (status, queued_at, id)",
                """
                CREATE TABLE outbox (
                    id TEXT PRIMARY KEY,
                    video_id TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    not_before BIGINT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    last_error TEXT
                )
                """,
                "CREATE INDEX outbox_by_due ON outbox (not_before, created_at)",
                "CREATE INDEX outbox_by_video ON outbox (video_id)",
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,
                    name TEXT NOT NULL,
                    key_hash TEXT NOT NULL UNIQUE,
                    is_admin BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
                """,
            ]),
        // The SQS MessageId of the record's current queue message, so the consumer's dead-letter watcher can tell
        // a record's own message in the DLQ from a stale one (the record retried since with a new message).
        Migration(
            version: 2, name: "videos.message_id",
            statements: [
                "ALTER TABLE videos ADD COLUMN message_id TEXT"
            ]),
        // `Idempotency-Key`s of the upload routes: the first result of each, per owner, for 24 hours.
        Migration(
            version: 3, name: "idempotency_keys",
            statements: [
                """
                CREATE TABLE idempotency_keys (
                    owner TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    status BIGINT,
                    response TEXT,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (owner, idempotency_key)
                )
                """,
                "CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)",
            ]),
        // Signed webhooks: endpoints per owner, and one delivery row per event and endpoint, written in the same
        // transaction as the status change (a durable outbox) and sent by the producer's webhook dispatcher.
        Migration(
            version: 4, name: "webhooks",
            statements: [
                """
                CREATE TABLE webhook_endpoints (
                    id TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    previous_secret TEXT,
                    previous_secret_until BIGINT,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner)",
                """
                CREATE TABLE webhook_deliveries (
                    id TEXT PRIMARY KEY,
                    endpoint_id TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    video_id TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts BIGINT NOT NULL,
                    not_before BIGINT NOT NULL,
                    last_error TEXT,
                    last_status_code BIGINT,
                    created_at BIGINT NOT NULL,
                    delivered_at BIGINT
                )
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, not_before)",
                "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at)",
            ]),
        // Retention: finished videos are found by their finish time; a named lease lets one producer at a time sweep.
        Migration(
            version: 5, name: "retention",
            statements: [
                "CREATE INDEX videos_finished_at ON videos (finished_at)",
                """
                CREATE TABLE leases (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
            ]),
    ]
}

extension SQLStore {
    func migrate() async throws {
        try await backend.migrationTransaction { db in
            try await db.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """)
            let applied = Set(try await db.query("SELECT version FROM schema_migrations", []).map { try $0.int("version") })
            for migration in Migrations.all where !applied.contains(Int64(migration.version)) {
                for statement in migration.statements { try await db.execute(statement) }
                try await db.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    [.int(migration.version), .text(migration.name), .int(VideoTimestamp.milliseconds(.now))])
            }
        }
    }

    func appliedMigrations() async throws -> [Int] {
        try await backend.query("SELECT version FROM schema_migrations ORDER BY version", []).map { Int(try $0.int("version")) }
    }
}
