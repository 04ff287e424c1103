/// One consumer instance as the autoscaler sees it (`videoqueue-consumer@N`, or one machine of a group).
public struct ConsumerInstance: Sendable, Hashable {
    /// The instance number (`N` of `videoqueue-consumer@N`).
    public var number: Int
    /// Jobs it runs now, from its `/metrics` (`videoqueue_consumer_jobs_in_flight`); `nil` when unknown
    /// (no endpoint, or it did not answer). Only instances known to be idle are ever stopped.
    public var inFlight: Int?
    /// Whether it is stopping (draining its jobs): it is no capacity any more and its number is not reused
    /// until it has stopped.
    public var isDraining: Bool

    public init(number: Int, inFlight: Int? = nil, isDraining: Bool = false) {
        self.number = number
        self.inFlight = inFlight
        self.isDraining = isDraining
    }
}
