import Foundation
import VideoCore

/// A URL an owner registered to receive signed events (Standard Webhooks).
public struct WebhookEndpoint: Sendable, Equatable, Identifiable, Codable {
    public var id: UUID
    public var owner: String
    public var url: String
    /// The event types it receives; empty: all of ``WebhookEvent/types``.
    public var events: [String]
    public var createdAt: Date

    public init(id: UUID, owner: String, url: String, events: [String], createdAt: Date) {
        self.id = id
        self.owner = owner
        self.url = url
        self.events = events
        self.createdAt = createdAt
    }
}

/// An endpoint with its signing secrets (`whsec_…`), for the dispatcher: the current one, and after a rotation the
/// previous one for a day (deliveries are signed with both, so a receiver can switch at its own pace).
public struct WebhookSigningEndpoint: Sendable, Equatable {
    public var endpoint: WebhookEndpoint
    public var secrets: [String]
}

/// The event types and the status change each stands for.
public enum WebhookEvent {
    public static let types = ["video.queued", "video.processing", "video.completed", "video.failed", "video.cancelled"]

    /// The event of a change to `status` (`pending` has none).
    public static func type(for status: VideoStatus) -> String? {
        status == .pending ? nil : "video.\(status.rawValue)"
    }
}

/// One event for one endpoint: delivered at least once, retried with backoff until it is or gives up.
public struct WebhookDelivery: Sendable, Equatable, Identifiable, Codable {
    public enum Status: String, Sendable, Codable {
        case pending, delivered, failed
    }

    /// Also the `webhook-id` header: the same on every attempt.
    public var id: String
    public var endpointID: UUID
    public var eventType: String
    public var videoID: UUID
    /// The JSON body sent: `{"type", "timestamp", "data": {"video": …}}`.
    public var payload: String
    public var status: Status
    public var attempts: Int
    /// When the next attempt is due (pending).
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var lastStatusCode: Int?
    public var createdAt: Date
    public var deliveredAt: Date?
}
