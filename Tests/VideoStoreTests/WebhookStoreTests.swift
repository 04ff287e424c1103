import Foundation
import Testing
import VideoCore

@testable import VideoStore

/// Webhook deliveries are written by the status changes themselves, in their transaction, for the owner's endpoints
/// that take the event.
@Suite struct WebhookStoreTests {
    @Test(arguments: StoreBackend.allCases)
    func statusChangesFanOutToTheOwnersEndpointsThatTakeTheEvent(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let all = try await store.createWebhookEndpoint(owner: "alice", url: "https://a.example/hook", events: [])
            let completedOnly = try await store.createWebhookEndpoint(owner: "alice", url: "https://b.example/hook", events: ["video.completed"])
            _ = try await store.createWebhookEndpoint(owner: "bob", url: "https://c.example/hook", events: [])
            #expect(all.secret.hasPrefix("whsec_") && all.secret != completedOnly.secret)
            #expect(Data(base64Encoded: String(all.secret.dropFirst(6)))?.count == 24)

            let record = try await Sample.stored(in: store, status: .queued, owner: "alice")
            let claimed = try #require(try await store.claim(id: record.id))
            _ = try await store.updateProgress(id: record.id, attempt: claimed.attempts, stage: .encoding, progress: 50, eta: nil)
            _ = try #require(try await store.complete(id: record.id, attempt: claimed.attempts, outputs: []))

            let toAll = try await store.webhookDeliveries(endpointID: all.endpoint.id, owner: "alice", limit: 100)
            #expect(Set(toAll.map(\.eventType)) == ["video.queued", "video.processing", "video.completed"], "progress is not an event")
            let toCompleted = try await store.webhookDeliveries(endpointID: completedOnly.endpoint.id, owner: "alice", limit: 100)
            #expect(toCompleted.map(\.eventType) == ["video.completed"])
            let payload = try #require(toCompleted.first?.payload)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            #expect(json["type"] as? String == "video.completed")
            #expect(((json["data"] as? [String: Any])?["video"] as? [String: Any])?["id"] as? String == record.id.uuidString)
            #expect(try await store.webhookDeliveries(endpointID: all.endpoint.id, owner: "bob", limit: 100).isEmpty, "another owner's log")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func deliveriesAreLeasedRecordedRetriedAndRedelivered(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let endpoint = try await store.createWebhookEndpoint(owner: "alice", url: "https://a.example/hook", events: ["video.cancelled"])
            let record = try await Sample.stored(in: store, status: .queued, owner: "alice")
            _ = try #require(try await store.cancel(id: record.id, owner: "alice"))
            let now = Date()
            let due = try await store.dueWebhookDeliveries(limit: 10, now: now, lease: .seconds(60))
            try #require(due.count == 1)
            #expect(due[0].endpoint.secrets == [endpoint.secret] && due[0].delivery.attempts == 1)
            #expect(try await store.dueWebhookDeliveries(limit: 10, now: now, lease: .seconds(60)).isEmpty, "leased")
            try await store.recordWebhookAttempt(
                id: due[0].delivery.id, delivered: false, statusCode: 500, error: "HTTP 500",
                nextAttempt: now.addingTimeInterval(5), now: now)
            #expect(try await store.dueWebhookDeliveries(limit: 10, now: now.addingTimeInterval(4), lease: .seconds(60)).isEmpty)
            let again = try await store.dueWebhookDeliveries(limit: 10, now: now.addingTimeInterval(6), lease: .seconds(60))
            #expect(again.first?.delivery.attempts == 2)
            try await store.recordWebhookAttempt(id: due[0].delivery.id, delivered: true, statusCode: 204, error: nil, nextAttempt: nil, now: now)
            let log = try await store.webhookDeliveries(endpointID: endpoint.endpoint.id, owner: "alice", limit: 10)
            #expect(log.first?.status == .delivered && log.first?.lastStatusCode == 204 && log.first?.deliveredAt != nil)

            // Rotation: the previous secret signs too until its time is up.
            let rotated = try #require(
                try await store.rotateWebhookSecret(
                    id: endpoint.endpoint.id, owner: "alice",
                    keepPreviousUntil: now.addingTimeInterval(3600)))
            #expect(try await store.redeliverWebhook(id: due[0].delivery.id, endpointID: endpoint.endpoint.id, owner: "alice"))
            #expect(try await store.redeliverWebhook(id: due[0].delivery.id, endpointID: endpoint.endpoint.id, owner: "bob") == false)
            let redelivered = try await store.dueWebhookDeliveries(limit: 10, now: Date().addingTimeInterval(1), lease: .seconds(60))
            #expect(redelivered.first?.endpoint.secrets == [rotated.secret, endpoint.secret])
            #expect(try await store.deleteWebhookEndpoint(id: endpoint.endpoint.id, owner: "alice"))
            #expect(try await store.webhookDeliveries(endpointID: endpoint.endpoint.id, owner: "alice", limit: 10).isEmpty)
        }
    }
}
