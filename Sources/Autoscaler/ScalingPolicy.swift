/// The rules the decision follows: bounds, the latency target, how many jobs one consumer runs, the
/// scale-in cooldown and the processing time assumed when the consumers report none.
public struct ScalingPolicy: Sendable, Hashable {
    /// The fewest consumer instances (also while the queue is empty).
    public var minimumInstances: Int
    /// The most consumer instances.
    public var maximumInstances: Int
    /// How long a message may wait before a consumer starts it (seconds): AWS's "acceptable latency".
    public var acceptableLatency: Double
    /// Jobs one consumer instance runs at once (its `VIDEOQUEUE_CONCURRENCY`).
    public var jobsPerInstance: Int
    /// The least time (seconds) after any scaling action before instances are stopped.
    public var scaleInCooldown: Double
    /// The average processing time (seconds) used when the consumers' metrics give none.
    public var defaultProcessingTime: Double

    /// A policy; the defaults suit a few FFmpeg transcodes per minute.
    public init(minimumInstances: Int = 1, maximumInstances: Int = 10, acceptableLatency: Double = 300, jobsPerInstance: Int = 1,
                scaleInCooldown: Double = 300, defaultProcessingTime: Double = 60) {
        self.minimumInstances = minimumInstances
        self.maximumInstances = maximumInstances
        self.acceptableLatency = acceptableLatency
        self.jobsPerInstance = jobsPerInstance
        self.scaleInCooldown = scaleInCooldown
        self.defaultProcessingTime = defaultProcessingTime
    }

    /// Checks the values fit together.
    /// - Throws: ``AutoscalerError`` (`configuration`) naming the setting.
    public func validate() throws(AutoscalerError) {
        func invalid(_ message: String) -> AutoscalerError { AutoscalerError(code: .configuration, message: message) }
        guard minimumInstances >= 0 else { throw invalid("--min must not be negative") }
        guard maximumInstances >= max(1, minimumInstances) else { throw invalid("--max must be at least 1 and at least --min") }
        guard acceptableLatency.isFinite, acceptableLatency > 0 else { throw invalid("--latency must be positive") }
        guard jobsPerInstance >= 1 else { throw invalid("--jobs-per-instance must be at least 1") }
        guard scaleInCooldown.isFinite, scaleInCooldown >= 0 else { throw invalid("--scale-in-cooldown must not be negative") }
        guard defaultProcessingTime.isFinite, defaultProcessingTime > 0 else { throw invalid("--processing-time must be positive") }
    }
}
