import Foundation

/// Why the machine is going away, as the instance metadata says it: a Spot interruption (at a known time) or an
/// Auto Scaling scale-in (the target lifecycle state is `Terminated`; the lifecycle hook holds the instance until
/// the consumers complete it).
public struct TerminationNotice: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        /// `spot/instance-action` names an action (`terminate`, `stop`, `hibernate`) and its time.
        case spotInterruption = "spot_interruption"
        /// `autoscaling/target-lifecycle-state` is `Terminated`.
        case scaleIn = "scale_in"
    }

    public var reason: Reason
    /// When the machine goes (Spot); `nil` when only the lifecycle hook's timeout bounds it.
    public var deadline: Date?

    /// What the jobs may still use of the time left: until the deadline less `margin` (kept to hand the rest back
    /// and send the last deletions), at least zero; `nil` when there is no deadline.
    public func drainBudget(now: Date, margin: Duration) -> Duration? {
        guard let deadline else { return nil }
        let left = deadline.timeIntervalSince(now) - margin.seconds
        return .milliseconds(Int64(max(0, left) * 1000))
    }
}
