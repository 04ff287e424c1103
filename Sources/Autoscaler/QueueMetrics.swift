/// The three SQS counters the autoscaler reads (`GetQueueAttributes`), all approximate.
public struct QueueMetrics: Sendable, Hashable {
    /// `ApproximateNumberOfMessages`: waiting to be received.
    public var visible: Int
    /// `ApproximateNumberOfMessagesNotVisible`: received and not yet deleted (in flight, or waiting out a
    /// retry backoff set through the visibility timeout).
    public var notVisible: Int
    /// `ApproximateNumberOfMessagesDelayed`: sent with a delay, not yet visible.
    public var delayed: Int

    /// The attribute names to request.
    public static let attributeNames = [
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
    ]

    /// Counters from their values.
    public init(visible: Int, notVisible: Int, delayed: Int) {
        self.visible = visible
        self.notVisible = notVisible
        self.delayed = delayed
    }

    /// Reads the counters from a `GetQueueAttributes` answer; a missing counter is 0.
    /// - Throws: ``AutoscalerError`` (`invalidQueueAttributes`) when one is not a non-negative whole number.
    public init(attributes: [String: String]) throws(AutoscalerError) {
        func count(_ name: String) throws(AutoscalerError) -> Int {
            guard let text = attributes[name] else { return 0 }
            guard let value = Int(text), value >= 0 else {
                throw AutoscalerError(code: .invalidQueueAttributes, message: "\(name) is '\(text)', not a count")
            }
            return value
        }
        self.init(
            visible: try count("ApproximateNumberOfMessages"), notVisible: try count("ApproximateNumberOfMessagesNotVisible"),
            delayed: try count("ApproximateNumberOfMessagesDelayed"))
    }

    /// The work that has not started: visible plus delayed messages (delayed ones become visible within
    /// 15 minutes, so they need capacity within the same latency budget).
    public var backlog: Int { visible + delayed }
}
