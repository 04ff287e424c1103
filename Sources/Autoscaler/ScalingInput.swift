import Foundation

/// Everything one decision depends on; ``ScalingDecider/decide(_:policy:)`` is a pure function of it.
public struct ScalingInput: Sendable, Hashable {
    /// The queue's counters.
    public var queue: QueueMetrics
    /// The consumer instances that exist now (running, starting or draining).
    public var instances: [ConsumerInstance]
    /// The measured average processing time of one job (seconds), from the consumers' metrics; `nil`: none
    /// measured yet, the policy's default applies.
    public var averageProcessingTime: Double?
    /// When the autoscaler last started or stopped instances (`nil`: never, or not remembered).
    public var lastScalingAction: Date?
    /// The decision's clock.
    public var now: Date

    public init(
        queue: QueueMetrics, instances: [ConsumerInstance], averageProcessingTime: Double? = nil,
        lastScalingAction: Date? = nil, now: Date = Date()
    ) {
        self.queue = queue
        self.instances = instances
        self.averageProcessingTime = averageProcessingTime
        self.lastScalingAction = lastScalingAction
        self.now = now
    }
}
