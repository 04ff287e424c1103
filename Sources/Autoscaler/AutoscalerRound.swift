/// What one round of the autoscaler saw, decided and did.
public struct AutoscalerRound: Sendable, CustomStringConvertible {
    /// The queue's counters.
    public var queue: QueueMetrics
    /// The decision (with its reasons).
    public var decision: ScalingDecision
    /// Instances started (empty in a dry run).
    public var started: [Int]
    /// Instances asked to stop (empty in a dry run).
    public var stopped: [Int]
    /// The CloudWatch values published (or, in a dry run, that would be).
    public var metrics: [MetricDatum]
    /// Whether nothing was changed.
    public var dryRun: Bool

    /// The decision, then what was done or would be.
    public var description: String {
        var lines = [
            "queue: visible \(queue.visible), in flight \(queue.notVisible), delayed \(queue.delayed)",
            decision.description,
        ]
        if dryRun {
            if decision.changesFleet { lines.append("dry run: no instance started or stopped") }
        } else {
            if !started.isEmpty { lines.append("started: \(started.map(String.init).joined(separator: ", "))") }
            if !stopped.isEmpty { lines.append("asked to stop (draining): \(stopped.map(String.init).joined(separator: ", "))") }
        }
        if !metrics.isEmpty {
            lines.append(
                (dryRun ? "would publish: " : "published: ")
                    + metrics.map { "\($0.name)=\(ScalingDecider.format($0.value))" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
