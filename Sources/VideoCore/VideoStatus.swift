/// Where a video is in its life, and the one place that says which moves are allowed.
///
/// ```
/// pending ──► queued ──► processing ──► completed
///    │          │  ▲          │
///    │          │  └─release──┤
///    │          │             ├──► failed ──retry──► queued
///    └──────────┴─────────────┴──► cancelled
/// ```
///
/// `pending` means stored but its queue message not yet sent (the outbox sends it). A consumer may receive the
/// message before the outbox marks the record `queued`, so `pending → processing` is allowed too; and a video
/// can fail before it is claimed (its message undecodable, its job type unknown, the outbox giving up).
/// `completed` and `cancelled` are final. Every conditional update of the store takes its allowed source
/// statuses from ``allowedSources(for:)``, so no writer moves a record backwards or completes it twice.
public enum VideoStatus: String, Codable, Sendable, CaseIterable {
    /// Stored; the queue message is not sent yet.
    case pending
    /// Waiting in the queue.
    case queued
    /// A consumer is working on it.
    case processing
    /// Every output was produced.
    case completed
    /// Processing failed; ``VideoRecord/error`` says why. Can be retried.
    case failed
    /// The owner cancelled it.
    case cancelled

    /// The statuses this one may move to.
    public var allowedTargets: Set<VideoStatus> {
        switch self {
        case .pending: [.queued, .processing, .failed, .cancelled]
        case .queued: [.processing, .failed, .cancelled]
        case .processing: [.queued, .completed, .failed, .cancelled]
        case .failed: [.queued]
        case .completed, .cancelled: []
        }
    }

    /// Whether a record in this status may move to `target`.
    public func canTransition(to target: VideoStatus) -> Bool {
        allowedTargets.contains(target)
    }

    /// The statuses a record may be in to move to `target`, in declaration order.
    public static func allowedSources(for target: VideoStatus) -> [VideoStatus] {
        allCases.filter { $0.canTransition(to: target) }
    }

    /// Whether no further transition is possible.
    public var isFinal: Bool { allowedTargets.isEmpty }
}
