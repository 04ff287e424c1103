import Foundation
import ServiceSupport

/// The decision function: how many consumers the queue needs and which instances to start or stop.
///
/// 1. **Backlog per instance** (AWS): one instance may hold `acceptable latency ÷ average processing time ×
///    jobs per instance` waiting messages; `backlog instances = ⌈(visible + delayed) ÷ that⌉`.
/// 2. **In-flight work** (KEDA's `scaleOnInFlight`): `⌈NotVisible ÷ jobs per instance⌉` instances are
///    needed for the jobs that run, so a drained queue does not scale in under running jobs.
/// 3. `desired = clamp(max(1, 2), min, max)`.
/// 4. **Scale out** at once: start the lowest free instance numbers.
/// 5. **Scale in** only when the last action is older than the cooldown, and only by instances whose
///    metrics say they run nothing, the highest-numbered first; busy or unknown instances are never
///    stopped (the fleet shrinks on a later run, once they are idle).
public enum ScalingDecider {
    /// Decides for `input` under `policy` (assumed valid: ``ScalingPolicy/validate()``).
    public static func decide(_ input: ScalingInput, policy: ScalingPolicy) -> ScalingDecision {
        var reasons: [String] = []
        let slots = max(1, policy.jobsPerInstance)
        let measured = input.averageProcessingTime.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        let processingTime = measured ?? policy.defaultProcessingTime.seconds
        let acceptable = policy.acceptableLatency.seconds / processingTime * Double(slots)

        let queue = input.queue
        let backlog = queue.backlog
        let backlogInstances = backlog == 0 ? 0 : Int((Double(backlog) / max(acceptable, 1e-9)).rounded(.up))
        reasons.append(
            "backlog \(backlog) (visible \(queue.visible) + delayed \(queue.delayed)) ÷ \(format(acceptable)) per instance "
                + "(latency \(format(policy.acceptableLatency.seconds)) s ÷ \(format(processingTime)) s per job "
                + "[\(measured != nil ? "measured" : "configured")] × \(slots) job\(slots == 1 ? "" : "s") per instance) → \(backlogInstances)")
        let inFlightInstances = (queue.notVisible + slots - 1) / slots
        reasons.append("in flight \(queue.notVisible) (NotVisible) ÷ \(slots) per instance → \(inFlightInstances)")

        let required = max(backlogInstances, inFlightInstances)
        let desired = min(max(required, policy.minimumInstances), policy.maximumInstances)
        if desired != required {
            reasons.append("bounds \(policy.minimumInstances)…\(policy.maximumInstances): \(required) → \(desired)")
        }

        let active = input.instances.filter { !$0.isDraining }
        let draining = input.instances.filter(\.isDraining)
        let current = active.count
        if !draining.isEmpty {
            reasons.append("draining (not counted): \(draining.map { String($0.number) }.sorted().joined(separator: ", "))")
        }
        let backlogPerInstance = Double(backlog) / Double(max(current, 1))

        var start: [Int] = []
        var stop: [Int] = []
        if desired > current {
            let taken = Set(input.instances.map(\.number))
            var number = 1
            while start.count < desired - current {
                if !taken.contains(number) { start.append(number) }
                number += 1
            }
            reasons.append("scale out by \(start.count): start \(start.map(String.init).joined(separator: ", "))")
        } else if desired < current {
            let elapsed = input.lastScalingAction.map { input.now.timeIntervalSince($0) }
            if let elapsed, elapsed < policy.scaleInCooldown.seconds {
                reasons.append(
                    "scale in by \(current - desired) held: cooldown, \(format(policy.scaleInCooldown.seconds - elapsed)) s of "
                        + "\(format(policy.scaleInCooldown.seconds)) s left")
            } else {
                let idle = active.filter { $0.inFlight == 0 }.sorted { $0.number > $1.number }
                stop = idle.prefix(current - desired).map(\.number)
                let busy = active.filter { ($0.inFlight ?? 1) > 0 }
                if stop.count < current - desired {
                    let unknown = active.filter { $0.inFlight == nil }.count
                    reasons.append(
                        "scale in by \(current - desired) wanted, only \(idle.count) known idle "
                            + "(\(busy.count - unknown) busy, \(unknown) without metrics): busy instances are never stopped")
                }
                if !stop.isEmpty {
                    reasons.append("scale in by \(stop.count): stop idle \(stop.map(String.init).joined(separator: ", ")) (they drain and exit)")
                }
            }
        } else {
            reasons.append("\(current) instance\(current == 1 ? "" : "s") already")
        }
        return ScalingDecision(
            currentInstances: current, requiredInstances: required, backlogInstances: backlogInstances,
            inFlightInstances: inFlightInstances, desiredInstances: desired,
            targetInstances: current + start.count - stop.count, start: start, stop: stop,
            backlogPerInstance: backlogPerInstance, acceptableBacklogPerInstance: acceptable,
            processingTime: processingTime, processingTimeMeasured: measured != nil, reasons: reasons)
    }

    /// A number with at most two decimals and no trailing zeros.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }
}
