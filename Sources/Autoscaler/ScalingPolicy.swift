/// The rules the decision follows: bounds, the latency target, how many jobs one consumer runs, the
/// scale-in cooldown and the processing time assumed when the consumers report none.
public struct ScalingPolicy: Sendable, Hashable {
    /// The fewest consumer instances (also while the queue is empty).
    public var minimumInstances: Int
    /// The most consumer instances.
    public var maximumInstances: Int
    /// How long a message may wait before a consumer starts it: AWS's "acceptable latency".
    public var acceptableLatency: Duration
    /// Jobs one consumer instance runs at once (its `VIDEOQUEUE_CONCURRENCY`).
    public var jobsPerInstance: Int
    /// The least time after any scaling action before instances are stopped.
    public var scaleInCooldown: Duration
    /// The average processing time used when the consumers' metrics give none.
    public var defaultProcessingTime: Duration

    /// A policy; the defaults suit a few FFmpeg transcodes per minute.
    public init(
        minimumInstances: Int = 1, maximumInstances: Int = 10, acceptableLatency: Duration = .seconds(300), jobsPerInstance: Int = 1,
        scaleInCooldown: Duration = .seconds(300), defaultProcessingTime: Duration = .seconds(60)
    ) {
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
        guard acceptableLatency > .zero else { throw invalid("--latency must be positive") }
        guard jobsPerInstance >= 1 else { throw invalid("--jobs-per-instance must be at least 1") }
        guard scaleInCooldown >= .zero else { throw invalid("--scale-in-cooldown must not be negative") }
        guard defaultProcessingTime > .zero else { throw invalid("--processing-time must be positive") }
    }
}
