import AWSQuery
import AWSSigV4
import Logging
import ServiceSupport

/// The Auto Scaling lifecycle hook the machine's consumers answer: when the last of them stops after draining, it
/// completes the hook (`CompleteLifecycleAction`, `CONTINUE`), so a scale-in terminates the instance as soon as no
/// job runs on it instead of after the hook's timeout. A stop with no termination pending (a deploy) gets
/// `no_active_lifecycle_action` from AWS, which is expected and logged as such.
struct LifecycleHook: Sendable {
    static let instanceIDPath = "/latest/meta-data/instance-id"
    static let groupTagPath = "/latest/meta-data/tags/instance/aws:autoscaling:groupName"
    /// The longest each metadata or Auto Scaling call may take.
    static let callTimeout: Duration = .seconds(10)

    let name: String
    /// `nil`: the instance's `aws:autoscaling:groupName` tag.
    let group: String?
    let metadata: InstanceMetadataClient
    let autoScaling: AutoScalingGroupClient
    let lock: MachineConsumersLock

    /// Completes the hook if this consumer is the machine's last; returns whether AWS accepted it.
    @discardableResult
    func completeIfLast(logger: Logger) async -> Bool {
        var accepted = false
        let last = await lock.releaseAndRunIfLast {
            accepted = await complete(logger: logger)
        }
        if !last { logger.info("other consumers still run on this machine: the lifecycle hook is left to the last") }
        return accepted
    }

    private func complete(logger: Logger) async -> Bool {
        do {
            let instance = try await withTimeout(Self.callTimeout, operation: "instance-id") {
                try await metadata.value(at: Self.instanceIDPath)
            }
            let groupName = try await resolvedGroup()
            guard let instance = instance?.trimmingCharacters(in: .whitespacesAndNewlines), !instance.isEmpty, let groupName else {
                logger.error(
                    "cannot complete the lifecycle hook: the instance id or the Auto Scaling group is unknown",
                    metadata: ["lifecycle_hook": "\(name)"])
                return false
            }
            try await withTimeout(Self.callTimeout, operation: "CompleteLifecycleAction") {
                try await autoScaling.completeLifecycleAction(group: groupName, hook: name, instance: instance)
            }
            logger.notice(
                "lifecycle hook completed: the instance may terminate",
                metadata: ["lifecycle_hook": "\(name)", "auto_scaling_group": "\(groupName)", "instance_id": "\(instance)"])
            return true
        } catch let error as AutoScalingError where error.code == .noActiveLifecycleAction {
            logger.info("no lifecycle action is pending for this instance", metadata: ["lifecycle_hook": "\(name)"])
            return false
        } catch {
            logger.error("cannot complete the lifecycle hook", metadata: ["lifecycle_hook": "\(name)", "error": "\(error)"])
            return false
        }
    }

    private func resolvedGroup() async throws -> String? {
        if let group { return group }
        return try await withTimeout(Self.callTimeout, operation: "aws:autoscaling:groupName") {
            try await metadata.value(at: Self.groupTagPath)
        }?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
