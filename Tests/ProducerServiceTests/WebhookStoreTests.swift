import Foundation
import Logging
import TestSupport
import Testing
import VideoCore

@testable import ProducerService
@testable import VideoStore

/// A store of one test's own (a temporary SQLite file, or a new database on the PostgreSQL of
/// `VIDEOQUEUE_TEST_DATABASE_URL`), without S3 or SQS: for the webhook store and dispatcher tests.
struct WebhookStoreHarness {
    let store: any VideoStore
    let directory: TemporaryDirectory
    let postgres: TestPostgresDatabase?
    /// The store's run (``VideoStore/run()``), awaited by ``tearDown()`` after the store is closed.
    let storeRun: Task<Void, Never>

    init(_ backend: TestDatabaseBackend = .sqlite) async throws {
        directory = try TemporaryDirectory()
        switch backend {
        case .sqlite:
            postgres = nil
            store = try await DatabaseConfiguration(url: directory.file("videos.sqlite")).makeStore()
        case .postgres:
            let database = try TestPostgresDatabase.create(prefix: "vq_webhooks_")
            postgres = database
            store = try await DatabaseConfiguration(url: database.url).makeStore()
        }
        let store = self.store
        storeRun = Task { await store.run() }
        try await store.migrate()
    }

    func tearDown() async {
        try? await store.close()
        await storeRun.value
        postgres?.drop()
        directory.remove()
    }

    /// Runs `body` with a fresh harness, then tears it down.
    static func with<T>(_ backend: TestDatabaseBackend = .sqlite, _ body: (WebhookStoreHarness) async throws -> T) async throws -> T {
        let harness = try await WebhookStoreHarness(backend)
        return try await withTearDown {
            await harness.tearDown()
        } body: {
            try await body(harness)
        }
    }

    /// The database under the store, for what the store's API cannot do (a row a race would leave).
    var sql: any SQLExecutor {
        get throws { try #require((store as? any SQLStoreForwarding)?.store.backend) }
    }

    /// A stored `pending` video of `owner`.
    func record(owner: String) async throws -> VideoRecord {
        let id = UUID()
        let record = VideoRecord(
            id: id, owner: owner, title: "t", originalFilename: "a.mp4", sourceBucket: "b",
            sourceKey: "sources/\(id.uuidString.lowercased())/source", size: 10, contentType: "video/mp4",
            jobs: [.transcode])
        return try await store.create(record, outboxPayload: "{}")
    }

    /// A new endpoint of a new owner at `url` and one leased delivery to it (a `video.cancelled` event).
    func leasedDelivery(url: String, owner: String = "o-" + UUID().uuidString.prefix(8).lowercased())
        async throws -> (delivery: WebhookDelivery, endpoint: WebhookSigningEndpoint)
    {
        _ = try await store.createWebhookEndpoint(owner: owner, url: url, events: ["video.cancelled"])
        _ = try await store.cancel(id: try await record(owner: owner).id, owner: nil)
        let due = try await store.dueWebhookDeliveries(limit: 1000, now: Date(), lease: .seconds(120))
        return try #require(due.first { $0.endpoint.endpoint.owner == owner })
    }

    /// Every delivery row, of live endpoints or not.
    func deliveryIDs() async throws -> Set<String> {
        Set(try await sql.query("SELECT id FROM webhook_deliveries", []).map { try $0.text("id") })
    }
}

/// The webhook store's guarantees the API relies on: the per-owner endpoint cap under concurrent registrations, and
/// a delivery log that does not grow without bound.
@Suite struct WebhookStoreTests {
    @Test(arguments: TestDatabaseBackend.allCases)
    func concurrentCreatesPastTheCapLeaveExactlyTheCap(_ backend: TestDatabaseBackend) async throws {
        try await WebhookStoreHarness.with(backend) { harness in
            let store = harness.store
            // From none (no existing row an implementation could lock) and from some.
            for (owner, existing, cap, attempts) in [("zero", 0, 1, 24), ("some", 2, 5, 30)] {
                for index in 0..<existing {
                    _ = try await store.createWebhookEndpoint(owner: owner, url: "https://example.com/\(index)", events: [])
                }
                let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<attempts {
                        group.addTask {
                            try await store.createWebhookEndpoint(owner: owner, url: "https://example.com/c\(index)", events: [], limit: cap) != nil
                        }
                        // Another owner's registrations at the same time draw from their own cap.
                        group.addTask {
                            try await store.createWebhookEndpoint(
                                owner: owner + "-other", url: "https://example.com/o\(index)", events: [],
                                limit: cap) != nil
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(created == 2 * cap - existing, "\(owner): only the places left under the cap were taken")
                #expect(try await store.webhookEndpoints(owner: owner).count == cap, "\(owner)")
                #expect(try await store.webhookEndpoints(owner: owner + "-other").count == cap, "\(owner)")
                #expect(try await store.createWebhookEndpoint(owner: owner, url: "https://example.com/late", events: [], limit: cap) == nil)
                // A deleted endpoint frees its place.
                let first = try #require(try await store.webhookEndpoints(owner: owner).first)
                #expect(try await store.deleteWebhookEndpoint(id: first.id, owner: owner))
                #expect(try await store.createWebhookEndpoint(owner: owner, url: "https://example.com/again", events: [], limit: cap) != nil)
                #expect(try await store.webhookEndpoints(owner: owner).count == cap)
            }
            // The per-owner lock rows are not left behind.
            #expect(try await harness.sql.query("SELECT name FROM leases WHERE name LIKE 'webhook-endpoints/%'", []).isEmpty)
        }
    }

    @Test(arguments: TestDatabaseBackend.allCases)
    func pruningRemovesFinishedDeliveriesPastTheRetentionAndThoseOfDeletedEndpoints(_ backend: TestDatabaseBackend) async throws {
        try await WebhookStoreHarness.with(backend) { harness in
            let store = harness.store
            let now = Date()
            let old = now.addingTimeInterval(-3 * 86_400)
            let recent = now.addingTimeInterval(-3_600)
            let endpoint = try await store.createWebhookEndpoint(owner: "alice", url: "https://example.com/hook", events: []).endpoint
            // Five deliveries: queued, processing, completed of one video; queued, cancelled of another.
            let first = try await harness.record(owner: "alice")
            _ = try await store.markQueued(id: first.id)
            let claimed = try #require(try await store.claim(id: first.id))
            _ = try await store.complete(id: first.id, attempt: claimed.attempts, outputs: [])
            let second = try await harness.record(owner: "alice")
            _ = try await store.markQueued(id: second.id)
            _ = try await store.cancel(id: second.id, owner: nil)
            let leased = try await store.dueWebhookDeliveries(limit: 100, now: Date(), lease: .seconds(60)).map(\.delivery.id).sorted()
            try #require(leased.count == 5)
            // A delivery whose endpoint is gone (a status change that fanned out while its endpoint was deleted), due now.
            let gone = UUID().uuidString
            try await harness.sql.execute(
                """
                INSERT INTO webhook_deliveries (id, endpoint_id, owner, event_type, video_id, payload, status, attempts, not_before, created_at)
                VALUES ('msg_orphan', $1, 'alice', 'video.queued', $2, '{}', 'pending', 0, $3, $3)
                """, [.text(gone), .text(first.id.uuidString), .int(VideoTimestamp.milliseconds(old))])
            // It is never leased (nobody could sign it); the others are leased already.
            #expect(try await store.dueWebhookDeliveries(limit: 100, now: Date(), lease: .seconds(60)).isEmpty)
            #expect(try await harness.sql.query("SELECT attempts FROM webhook_deliveries WHERE id = 'msg_orphan'", []).first?.int("attempts") == 0)

            // Delivered long ago, failed long ago: pruned. Delivered and failed recently, and pending (last tried long
            // ago, retried later): kept.
            try await store.recordWebhookAttempt(id: leased[0], delivered: true, statusCode: 200, error: nil, nextAttempt: nil, now: old)
            try await store.recordWebhookAttempt(id: leased[1], delivered: false, statusCode: 500, error: "HTTP 500", nextAttempt: nil, now: old)
            try await store.recordWebhookAttempt(id: leased[2], delivered: true, statusCode: 204, error: nil, nextAttempt: nil, now: recent)
            try await store.recordWebhookAttempt(id: leased[3], delivered: false, statusCode: nil, error: "refused", nextAttempt: nil, now: recent)
            try await store.recordWebhookAttempt(
                id: leased[4], delivered: false, statusCode: 503, error: "HTTP 503",
                nextAttempt: old.addingTimeInterval(60), now: old)
            let cutoff = now.addingTimeInterval(-26 * 3_600)
            #expect(try await store.pruneWebhookDeliveries(finishedBefore: cutoff) == 3)
            #expect(try await harness.deliveryIDs() == Set([leased[2], leased[3], leased[4]]))
            #expect(try await store.pruneWebhookDeliveries(finishedBefore: cutoff) == 0, "nothing more to prune")
            // In batches: a limit of 1 takes one at a time.
            #expect(try await store.pruneWebhookDeliveries(finishedBefore: now.addingTimeInterval(1), limit: 1) == 1)
            #expect(try await store.pruneWebhookDeliveries(finishedBefore: now.addingTimeInterval(1), limit: 1) == 1)
            #expect(try await store.pruneWebhookDeliveries(finishedBefore: now.addingTimeInterval(1), limit: 1) == 0)
            #expect(try await harness.deliveryIDs() == [leased[4]], "a pending delivery is never pruned")
            // Deleting the endpoint deletes its deliveries.
            #expect(try await store.deleteWebhookEndpoint(id: endpoint.id, owner: "alice"))
            #expect(try await harness.deliveryIDs().isEmpty)
        }
    }

    @Test func theDispatcherPrunesWhenItStarts() async throws {
        try await WebhookStoreHarness.with { harness in
            let (delivery, _) = try await harness.leasedDelivery(url: "https://example.com/hook")
            try await harness.store.recordWebhookAttempt(
                id: delivery.id, delivered: true, statusCode: 200, error: nil, nextAttempt: nil,
                now: Date().addingTimeInterval(-3 * 86_400))
            var configuration = ProducerConfiguration(bucket: "b", queueURL: "q")
            configuration.webhookInterval = .milliseconds(50)
            let dispatcher = WebhookDispatcher(store: harness.store, configuration: configuration, logger: .init(label: "test"))
            let run = Task { try await dispatcher.run() }
            let pruned = try await ProducerFixture.eventually { try await harness.deliveryIDs().isEmpty }
            run.cancel()
            _ = try? await run.value
            #expect(pruned)
        }
    }
}
