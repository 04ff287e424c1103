/// How far a job (or a sequence of jobs) has got.
public struct MediaProgress: Sendable, Equatable {
    /// 0…100, never decreasing within a job; 100 when it is done.
    public var percent: Double
    /// The estimated seconds left, when known.
    public var estimatedTimeRemaining: Double?

    public init(percent: Double, estimatedTimeRemaining: Double? = nil) {
        self.percent = percent
        self.estimatedTimeRemaining = estimatedTimeRemaining
    }
}
