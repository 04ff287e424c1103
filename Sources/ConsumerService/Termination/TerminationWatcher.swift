import AWSSigV4
import Foundation
import Logging
import ServiceLifecycle

/// Watches the EC2 instance metadata for a Spot interruption notice or an Auto Scaling scale-in and, on either,
/// tells the consumer how long it may drain (``ConsumerService/prepareToDrain(within:)``) and ends, which shuts the
/// service group down gracefully (run it with `successTerminationBehavior: .gracefullyShutdownGroup`): the consumer
/// stops receiving, lets its jobs finish within the budget and hands the rest back at once.
/// While the metadata service has never answered (not ready yet at boot, or off EC2) it asks again after a growing,
/// capped, jittered delay (``TerminationWatch/retryCap``), so an instance whose metadata service comes up late still
/// sees its notices.
public struct TerminationWatcher: Service {
    /// The Spot interruption notice (404 while none is scheduled).
    static let spotPath = "/latest/meta-data/spot/instance-action"
    /// The Auto Scaling target lifecycle state (`InService`, `Terminated`, …; 404 outside a group).
    static let lifecyclePath = "/latest/meta-data/autoscaling/target-lifecycle-state"
    /// What a Spot drain keeps of the two minutes' notice to hand jobs back and send the last deletions.
    public static let spotMargin: Duration = .seconds(20)

    let metadata: InstanceMetadataClient
    let consumer: ConsumerService
    let interval: Duration
    let logger: Logger

    public init(metadata: InstanceMetadataClient, consumer: ConsumerService, interval: Duration, logger: Logger) {
        self.metadata = metadata
        self.consumer = consumer
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var watch = TerminationWatch(interval: interval)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let action: TerminationWatch.Action
            do {
                async let spot = metadata.value(at: Self.spotPath)
                async let lifecycle = metadata.value(at: Self.lifecyclePath)
                let failuresBefore = watch.failuresBeforeAnswer
                action = watch.observed(spotInstanceAction: try await spot, targetLifecycleState: try await lifecycle)
                if failuresBefore > 0 {
                    logger.info("instance metadata answers: termination notices are watched", metadata: ["failed_requests": "\(failuresBefore)"])
                }
            } catch {
                action = watch.failed()
                if case .retry(let delay) = action {
                    let level: Logger.Level = watch.failuresBeforeAnswer == 1 ? .info : .debug
                    logger.log(
                        level: level, "instance metadata not answering (not ready yet, or not on EC2): asking again",
                        metadata: ["error": "\(error)", "retry_in": "\(delay)", "failed_requests": "\(watch.failuresBeforeAnswer)"])
                }
            }
            switch action {
            case .keepWatching:
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            case .retry(let delay):
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            case .drain(let notice):
                let budget = notice.drainBudget(now: Date(), margin: Self.spotMargin)
                logger.warning(
                    "instance is being terminated: draining",
                    metadata: ["reason": "\(notice.reason.rawValue)", "drain_budget": "\(budget.map { "\($0)" } ?? "the drain timeout")"])
                consumer.prepareToDrain(within: budget)
                return  // ends the group gracefully
            }
        }
    }
}
