import Foundation
import VideoCore

/// A ``VideoStore`` whose every operation is the shared SQL implementation's: SQLite and PostgreSQL differ only
/// in their ``SQLBackend``, so the public store types conform through this protocol instead of repeating it.
protocol SQLStoreForwarding: VideoStore {
    /// The shared implementation over this store's backend.
    var store: SQLStore { get }
}

extension SQLStoreForwarding {
    public func migrate() async throws { try await store.migrate() }
    public func appliedMigrations() async throws -> [Int] { try await store.appliedMigrations() }
    public func run() async { await store.backend.run() }
    public func close() async throws { try await store.backend.close() }

    public func create(_ record: VideoRecord, outboxPayload: String) async throws -> VideoRecord {
        try await store.create(record, outboxPayload: outboxPayload)
    }
    public func video(id: UUID, owner: String?) async throws -> VideoRecord? { try await store.video(id: id, owner: owner) }
    public func videos(owner: String?, status: VideoStatus?, cursor: String?, limit: Int) async throws -> VideoPage {
        try await store.videos(owner: owner, status: status, cursor: cursor, limit: limit)
    }
    public func delete(id: UUID, owner: String?) async throws -> Bool { try await store.delete(id: id, owner: owner) }

    public func acquireLease(name: String, holder: String, until: Date, now: Date) async throws -> Bool {
        try await store.acquireLease(name: name, holder: holder, until: until, now: now)
    }
    public func finishedVideos(before cutoff: Date, owners: [String]?, excluding excluded: [String], limit: Int) async throws -> [VideoRecord] {
        try await store.finishedVideos(before: cutoff, owners: owners, excluding: excluded, limit: limit)
    }

    public func markQueued(id: UUID, messageID: String?) async throws -> VideoRecord? {
        try await store.markQueued(id: id, messageID: messageID)
    }
    public func claim(id: UUID, messageID: String?) async throws -> VideoRecord? {
        try await store.claim(id: id, messageID: messageID)
    }
    public func updateProgress(id: UUID, attempt: Int, stage: VideoStage?, progress: Double, eta: Double?) async throws
        -> VideoRecord?
    {
        try await store.updateProgress(id: id, attempt: attempt, stage: stage, progress: progress, eta: eta)
    }
    public func complete(id: UUID, attempt: Int, outputs: [VideoOutput]) async throws -> VideoRecord? {
        try await store.complete(id: id, attempt: attempt, outputs: outputs)
    }
    public func fail(id: UUID, attempt: Int?, error: VideoFailure) async throws -> VideoRecord? {
        try await store.fail(id: id, attempt: attempt, error: error)
    }
    public func fail(id: UUID, messageID: String, error: VideoFailure) async throws -> VideoRecord? {
        try await store.fail(id: id, messageID: messageID, error: error)
    }
    public func replaceMessageID(id: UUID, current: String, with new: String) async throws -> VideoRecord? {
        try await store.replaceMessageID(id: id, current: current, with: new)
    }
    public func release(id: UUID, attempt: Int) async throws -> VideoRecord? { try await store.release(id: id, attempt: attempt) }
    public func cancel(id: UUID, owner: String?) async throws -> VideoRecord? { try await store.cancel(id: id, owner: owner) }
    public func retry(id: UUID, owner: String?) async throws -> VideoRecord? { try await store.retry(id: id, owner: owner) }

    public func dueOutbox(limit: Int, now: Date, lease: Duration) async throws -> [OutboxEntry] {
        try await store.dueOutbox(limit: limit, now: now, lease: lease)
    }
    public func outboxSent(entryID: UUID, videoID: UUID, messageID: String?) async throws -> VideoRecord? {
        try await store.outboxSent(entryID: entryID, videoID: videoID, messageID: messageID)
    }
    public func rescheduleOutbox(entryID: UUID, notBefore: Date, error: String?) async throws -> Bool {
        try await store.rescheduleOutbox(entryID: entryID, notBefore: notBefore, error: error)
    }
    public func outboxDepth() async throws -> Int { try await store.outboxDepth() }

    public func queuePosition(of id: UUID) async throws -> Int? { try await store.queuePosition(of: id) }
    public func statusCounts(owner: String?) async throws -> [VideoStatus: Int] { try await store.statusCounts(owner: owner) }
    public func recentProcessingSeconds(limit: Int) async throws -> [Double] {
        try await store.recentProcessingSeconds(limit: limit)
    }

    public func createAPIKey(owner: String, name: String, isAdmin: Bool) async throws -> CreatedAPIKey {
        try await store.createAPIKey(owner: owner, name: name, isAdmin: isAdmin)
    }
    public func apiKey(forPlaintext plaintext: String) async throws -> APIKey? {
        try await store.apiKey(forPlaintext: plaintext)
    }
    public func apiKeys() async throws -> [APIKey] { try await store.apiKeys() }
    public func revokeAPIKey(id: UUID) async throws -> Bool { try await store.revokeAPIKey(id: id) }
}

extension SQLStoreForwarding {
    public func reserveIdempotencyKey(owner: String, key: String, fingerprint: String, now: Date) async throws -> IdempotencyReservation {
        try await store.reserveIdempotencyKey(owner: owner, key: key, fingerprint: fingerprint, now: now)
    }
    public func completeIdempotencyKey(owner: String, key: String, status: Int, response: String) async throws {
        try await store.completeIdempotencyKey(owner: owner, key: key, status: status, response: response)
    }
    public func releaseIdempotencyKey(owner: String, key: String) async throws {
        try await store.releaseIdempotencyKey(owner: owner, key: key)
    }
}

extension SQLStoreForwarding {
    public func createWebhookEndpoint(owner: String, url: String, events: [String]) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        try await store.createWebhookEndpoint(owner: owner, url: url, events: events)
    }
    public func webhookEndpoints(owner: String) async throws -> [WebhookEndpoint] { try await store.webhookEndpoints(owner: owner) }
    public func deleteWebhookEndpoint(id: UUID, owner: String) async throws -> Bool { try await store.deleteWebhookEndpoint(id: id, owner: owner) }
    public func rotateWebhookSecret(id: UUID, owner: String, keepPreviousUntil: Date) async throws -> (endpoint: WebhookEndpoint, secret: String)? {
        try await store.rotateWebhookSecret(id: id, owner: owner, keepPreviousUntil: keepPreviousUntil)
    }
    public func dueWebhookDeliveries(limit: Int, now: Date, lease: Duration) async throws
        -> [(delivery: WebhookDelivery, endpoint: WebhookSigningEndpoint)]
    {
        try await store.dueWebhookDeliveries(limit: limit, now: now, lease: lease)
    }
    public func recordWebhookAttempt(id: String, delivered: Bool, statusCode: Int?, error: String?, nextAttempt: Date?, now: Date) async throws {
        try await store.recordWebhookAttempt(id: id, delivered: delivered, statusCode: statusCode, error: error, nextAttempt: nextAttempt, now: now)
    }
    public func webhookDeliveries(endpointID: UUID, owner: String, limit: Int) async throws -> [WebhookDelivery] {
        try await store.webhookDeliveries(endpointID: endpointID, owner: owner, limit: limit)
    }
    public func redeliverWebhook(id: String, endpointID: UUID, owner: String) async throws -> Bool {
        try await store.redeliverWebhook(id: id, endpointID: endpointID, owner: owner)
    }
}
