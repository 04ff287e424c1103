import Foundation
import VideoCore

/// Where VideoQueue keeps its video records, the outbox of queue messages to send, and API keys.
///
/// Two backends implement it: ``SQLiteVideoStore`` (embedded, the default) and ``PostgresVideoStore`` (shared by
/// many producers); ``DatabaseConfiguration`` picks one from `DATABASE_URL`. Call ``migrate()`` at start-up
/// and ``close()`` at shutdown.
///
/// Every status change is ONE conditional `UPDATE … WHERE id = ? AND status IN (…) [AND attempts = ?]` whose
/// allowed source statuses come from ``VideoCore/VideoStatus/allowedSources(for:)``; it returns the updated
/// record, or `nil` when the condition did not hold (record missing, another owner's, wrong status, stale
/// attempt). ``claim(id:)`` increments ``VideoCore/VideoRecord/attempts``, the fencing token: progress, completion
/// and release need the current attempt, so of two consumers holding the same message only the latest claim
/// can finish it.
///
/// `owner: nil` means any owner (admins, the consumer); otherwise a record of another owner is `nil`, as if
/// missing. Times are the store's clock, to the millisecond.
public protocol VideoStore: Sendable {
    // MARK: Lifecycle

    /// Applies the migrations not applied yet (recorded in `schema_migrations`). Safe when several processes
    /// start at once: PostgreSQL serializes them with an advisory lock, SQLite with a write transaction.
    func migrate() async throws
    /// The versions recorded in `schema_migrations`, ascending.
    func appliedMigrations() async throws -> [Int]
    /// Runs the store's background work as child tasks of this call until ``close()`` or cancellation, and returns
    /// once it has stopped: PostgreSQL's connection pools (their connections closed before it returns) and, with RDS
    /// IAM authentication, the password rotation; SQLite has none and returns at once. Queries wait for it (at most
    /// the lease timeout, then ``VideoStoreError/Code/unavailable``). A long-running process runs it in a
    /// ``VideoStoreService``; code that uses a store once wraps the use in ``running(_:)``.
    func run() async
    /// Closes the connections. The store cannot be used afterwards.
    func close() async throws

    // MARK: Records

    /// Stores `record` with status `pending` and an outbox entry carrying `outboxPayload`, in one transaction.
    /// Throws ``VideoStoreError/Code/conflict`` when the id exists.
    func create(_ record: VideoRecord, outboxPayload: String) async throws -> VideoRecord
    /// The record, if it exists and belongs to `owner` (`nil`: any owner).
    func video(id: UUID, owner: String?) async throws -> VideoRecord?
    /// A page of records, newest first (`createdAt`, then id), filtered by owner and status.
    /// `limit` is clamped to 1…1000; pass the previous page's ``VideoPage/nextCursor`` for the next.
    func videos(owner: String?, status: VideoStatus?, cursor: String?, limit: Int) async throws -> VideoPage
    /// Deletes the record and its outbox entries; whether a record was deleted.
    func delete(id: UUID, owner: String?) async throws -> Bool

    // MARK: Transitions

    /// `pending → queued` (the queue message was sent); a non-`nil` `messageID` (the SendMessage response's
    /// MessageId) becomes the record's ``VideoCore/VideoRecord/messageID``.
    func markQueued(id: UUID, messageID: String?) async throws -> VideoRecord?
    /// `queued` (or `pending`, when the consumer is faster than the outbox) `→ processing`: attempts + 1,
    /// `startedAt` now. The returned record's `attempts` is the fencing token for the calls below. A non-`nil`
    /// `messageID` (the id of the message the consumer received) becomes the record's
    /// ``VideoCore/VideoRecord/messageID``.
    func claim(id: UUID, messageID: String?) async throws -> VideoRecord?
    /// Records progress (clamped to 0…100) while `processing` under `attempt`.
    func updateProgress(id: UUID, attempt: Int, stage: VideoStage?, progress: Double, eta: Double?) async throws
        -> VideoRecord?
    /// `processing → completed` under `attempt`, with the outputs.
    func complete(id: UUID, attempt: Int, outputs: [VideoOutput]) async throws -> VideoRecord?
    /// `pending | queued | processing → failed`. With an `attempt`, only while `processing` under it.
    func fail(id: UUID, attempt: Int?, error: VideoFailure) async throws -> VideoRecord?
    /// `pending | queued | processing → failed`, only while the record's ``VideoCore/VideoRecord/messageID`` is
    /// `messageID` (its current queue message; the dead-letter watcher's condition: a record retried since with
    /// a new message is left alone).
    func fail(id: UUID, messageID: String, error: VideoFailure) async throws -> VideoRecord?
    /// Replaces the record's ``VideoCore/VideoRecord/messageID`` `current` by `new`, status unchanged, only while
    /// it is `pending`, `queued` or `processing` with `current` as its message (the dead-letter watcher sent the
    /// record's message again as `new`). `nil` when the condition did not hold.
    func replaceMessageID(id: UUID, current: String, with new: String) async throws -> VideoRecord?
    /// `processing → queued` under `attempt` (a transient error, a shutdown): another consumer may claim it.
    func release(id: UUID, attempt: Int) async throws -> VideoRecord?
    /// `pending | queued | processing → cancelled`; removes a pending record's unsent outbox entries.
    func cancel(id: UUID, owner: String?) async throws -> VideoRecord?
    /// `failed → queued`, with a new outbox entry (the record's queue message) in the same transaction; clears
    /// the record's ``VideoCore/VideoRecord/messageID`` until the new message is sent.
    func retry(id: UUID, owner: String?) async throws -> VideoRecord?

    // MARK: Outbox

    /// Leases up to `limit` entries due at `now`: each one's `notBefore` moves to `now + lease` and its attempts
    /// increase, so concurrent senders do not get the same entry until the lease runs out.
    func dueOutbox(limit: Int, now: Date, lease: Duration) async throws -> [OutboxEntry]
    /// The entry was sent: deletes it and moves the video `pending → queued`, in one transaction. Returns the
    /// record when it moved. A non-`nil` `messageID` (the SendMessage response's MessageId) becomes the record's
    /// ``VideoCore/VideoRecord/messageID``: when it moved, or when it is a retried record, queued already and
    /// without a message id.
    func outboxSent(entryID: UUID, videoID: UUID, messageID: String?) async throws -> VideoRecord?
    /// Sending failed: the entry is due again at `notBefore`. Whether the entry exists.
    func rescheduleOutbox(entryID: UUID, notBefore: Date, error: String?) async throws -> Bool
    /// How many entries wait to be sent.
    func outboxDepth() async throws -> Int

    // MARK: Queue insight

    /// How many queued records are ahead of this one (by `queuedAt`, then id); `nil` unless it is queued.
    func queuePosition(of id: UUID) async throws -> Int?
    /// The number of `owner`'s records (`nil`: everyone's) in each status (every status present).
    func statusCounts(owner: String?) async throws -> [VideoStatus: Int]
    /// The processing times (`finishedAt − startedAt`, seconds) of the last `limit` completed records.
    func recentProcessingSeconds(limit: Int) async throws -> [Double]

    // MARK: API keys

    /// Creates a key: `vq_` + 32 random bytes in base64url. Only its SHA-256 is stored; the plaintext is in the
    /// result only.
    func createAPIKey(owner: String, name: String, isAdmin: Bool) async throws -> CreatedAPIKey
    /// The unrevoked key whose plaintext this is.
    func apiKey(forPlaintext plaintext: String) async throws -> APIKey?
    /// Every key, revoked ones included, oldest first.
    func apiKeys() async throws -> [APIKey]
    /// Revokes a key; whether an unrevoked key was revoked.
    func revokeAPIKey(id: UUID) async throws -> Bool

    // MARK: Idempotency keys

    /// Reserves `owner`'s `Idempotency-Key` `key` for a request whose content hashes to `fingerprint`, or tells what
    /// the first request under it left (``IdempotencyReservation``). Keys last ``IdempotencyKeys/retention``; expired
    /// ones are purged here.
    func reserveIdempotencyKey(owner: String, key: String, fingerprint: String, now: Date) async throws -> IdempotencyReservation
    /// Records the result of the request that reserved `key`.
    func completeIdempotencyKey(owner: String, key: String, status: Int, response: String) async throws
    /// Forgets an unfinished reservation (its request failed: a retry under the key runs again).
    func releaseIdempotencyKey(owner: String, key: String) async throws

    // MARK: Retention

    /// Takes the lease `name` for `holder` until `until` when it is free, expired (before `now`) or `holder`'s
    /// already; whether `holder` has it now. One lease row per name: what lets one producer of many do a periodic job.
    func acquireLease(name: String, holder: String, until: Date, now: Date) async throws -> Bool
    /// Videos that finished (completed, failed, cancelled) before `cutoff`, oldest first, at most `limit`: of the
    /// `owners` when given, and never of the `excluded` owners.
    func finishedVideos(before cutoff: Date, owners: [String]?, excluding excluded: [String], limit: Int) async throws -> [VideoRecord]

    // MARK: Webhooks (deliveries are written by every status change, in its transaction)

    /// Registers `url` for `owner`'s events of `events` (empty: all); returns it with its new secret (shown once).
    func createWebhookEndpoint(owner: String, url: String, events: [String]) async throws -> (endpoint: WebhookEndpoint, secret: String)
    /// `owner`'s endpoints, oldest first.
    func webhookEndpoints(owner: String) async throws -> [WebhookEndpoint]
    /// Deletes an endpoint of `owner` and its deliveries; whether it existed.
    func deleteWebhookEndpoint(id: UUID, owner: String) async throws -> Bool
    /// A new secret for an endpoint of `owner`; the previous one still signs deliveries until `keepPreviousUntil`.
    func rotateWebhookSecret(id: UUID, owner: String, keepPreviousUntil: Date) async throws -> (endpoint: WebhookEndpoint, secret: String)?
    /// Leases up to `limit` pending deliveries due at `now` (each is due again at `now + lease` unless recorded first).
    func dueWebhookDeliveries(limit: Int, now: Date, lease: Duration) async throws -> [(delivery: WebhookDelivery, endpoint: WebhookSigningEndpoint)]
    /// Records an attempt: delivered, or due again at `nextAttempt`, or failed for good (`nextAttempt` nil).
    func recordWebhookAttempt(id: String, delivered: Bool, statusCode: Int?, error: String?, nextAttempt: Date?, now: Date) async throws
    /// An endpoint's deliveries, newest first.
    func webhookDeliveries(endpointID: UUID, owner: String, limit: Int) async throws -> [WebhookDelivery]
    /// Makes a delivery pending and due now; whether it exists.
    func redeliverWebhook(id: String, endpointID: UUID, owner: String) async throws -> Bool
}

extension VideoStore {
    /// ``markQueued(id:messageID:)`` without a message id.
    public func markQueued(id: UUID) async throws -> VideoRecord? {
        try await markQueued(id: id, messageID: nil)
    }

    /// ``claim(id:messageID:)`` without a message id.
    public func claim(id: UUID) async throws -> VideoRecord? {
        try await claim(id: id, messageID: nil)
    }

    /// ``outboxSent(entryID:videoID:messageID:)`` without a message id.
    public func outboxSent(entryID: UUID, videoID: UUID) async throws -> VideoRecord? {
        try await outboxSent(entryID: entryID, videoID: videoID, messageID: nil)
    }

    /// ``dueOutbox(limit:now:lease:)`` with a 30-second lease.
    public func dueOutbox(limit: Int, now: Date = Date()) async throws -> [OutboxEntry] {
        try await dueOutbox(limit: limit, now: now, lease: .seconds(30))
    }

    /// The mean of ``recentProcessingSeconds(limit:)``, or `nil` when nothing completed yet.
    public func averageProcessingSeconds(recent limit: Int = 50) async throws -> Double? {
        let seconds = try await recentProcessingSeconds(limit: limit)
        return seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count)
    }
}

extension VideoStore {
    /// The number of records in each status, every owner's.
    public func statusCounts() async throws -> [VideoStatus: Int] {
        try await statusCounts(owner: nil)
    }
}
