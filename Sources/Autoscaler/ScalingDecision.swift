/// What the autoscaler decided and why.
public struct ScalingDecision: Sendable, Hashable, CustomStringConvertible {
    /// Instances providing capacity now (running or starting; draining ones excluded).
    public var currentInstances: Int
    /// The count the formulas ask for, before bounds: the larger of ``backlogInstances`` and ``inFlightInstances``.
    public var requiredInstances: Int
    /// `⌈backlog ÷ acceptable backlog per instance⌉` (AWS's "backlog per instance" target).
    public var backlogInstances: Int
    /// `⌈in-flight messages ÷ jobs per instance⌉` (KEDA: running work keeps its consumers).
    public var inFlightInstances: Int
    /// ``requiredInstances`` within the policy's bounds: what the fleet should converge to.
    public var desiredInstances: Int
    /// The count after this decision's actions (differs from ``desiredInstances`` while scale-in waits for
    /// the cooldown or for busy instances to become idle).
    public var targetInstances: Int
    /// Instance numbers to start.
    public var start: [Int]
    /// Instance numbers to stop (each is known to be idle; stopping makes it drain and exit).
    public var stop: [Int]
    /// Backlog divided by the instances providing capacity (by 1 when there are none): the CloudWatch metric.
    public var backlogPerInstance: Double
    /// The backlog one instance may have: `latency ÷ processing time × jobs per instance`; the target value
    /// of the target-tracking policy.
    public var acceptableBacklogPerInstance: Double
    /// The processing time the decision used (seconds).
    public var processingTime: Double
    /// Whether ``processingTime`` was measured (`true`) or the configured default.
    public var processingTimeMeasured: Bool
    /// One line per step of the reasoning.
    public var reasons: [String]

    /// Whether instances are started or stopped.
    public var changesFleet: Bool { !start.isEmpty || !stop.isEmpty }

    /// A summary line then the reasons, for `--dry-run` and logs.
    public var description: String {
        let action =
            start.isEmpty && stop.isEmpty
            ? "hold at \(currentInstances)"
            : !start.isEmpty
                ? "scale out \(currentInstances) → \(targetInstances): start \(start.map(String.init).joined(separator: ", "))"
                : "scale in \(currentInstances) → \(targetInstances): stop \(stop.map(String.init).joined(separator: ", "))"
        return (["decision: \(action) (desired \(desiredInstances))"] + reasons.map { "  - \($0)" }).joined(separator: "\n")
    }
}
