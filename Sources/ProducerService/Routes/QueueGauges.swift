import Logging
import Metrics
import SQSClient
import ServiceSupport
import Synchronization

/// The queues' depths as Prometheus gauges, read from SQS when `/metrics` is scraped (at most every 5 s, each read
/// bounded to 2 s: a slow SQS delays a scrape by that much at most and leaves the last values):
/// `videoqueue_queue_messages{queue="jobs"|"dead_letter", state="visible"|"in_flight"|"delayed"}`.
final class QueueGauges: Sendable {
    let sqs: SQSClient
    let queues: [(name: String, url: String)]
    private let lastRefresh = Mutex<ContinuousClock.Instant?>(nil)

    /// The least time between two reads.
    static let interval: Duration = .seconds(5)

    init(sqs: SQSClient, queueURL: String, deadLetterQueueURL: String?) {
        self.sqs = sqs
        queues = [("jobs", queueURL)] + (deadLetterQueueURL.map { [("dead_letter", $0)] } ?? [])
    }

    func refresh(logger: Logger) async {
        let now = ContinuousClock.now
        let due = lastRefresh.withLock { last -> Bool in
            if let last, now - last < Self.interval { return false }
            last = now
            return true
        }
        guard due else { return }
        for (name, url) in queues {
            do {
                let depth = try await withTimeout(.seconds(2), operation: "GetQueueAttributes") {
                    try await OperationsRoutes.depth(of: url, sqs: self.sqs)
                }
                for (state, value) in [("visible", depth.visible), ("in_flight", depth.inFlight), ("delayed", depth.delayed)] {
                    Gauge(label: "videoqueue_queue_messages", dimensions: [("queue", name), ("state", state)]).record(value)
                }
            } catch {
                logger.warning("cannot read the queue's depth for the metrics", metadata: ["queue": "\(name)", "error": "\(error)"])
            }
        }
    }
}
