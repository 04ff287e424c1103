import AWSSigV4
import Foundation
import Logging
import ServiceLifecycle

/// Watches the EC2 instance metadata for a Spot interruption notice or an Auto Scaling scale-in and, on either,
/// tells the consumer how long it may drain (``ConsumerService/prepareToDrain(within:)``) and ends, which shuts the
/// service group down gracefully (run it with `successTerminationBehavior: .gracefullyShutdownGroup`): the consumer
/// stops receiving, lets its jobs finish within the budget and hands the rest back at once.
/// Off EC2 it stops watching after the first unanswered request and waits for the shutdown.
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
        var watch = TerminationWatch()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let action: TerminationWatch.Action
            do {
                async let spot = metadata.value(at: Self.spotPath)
                async let lifecycle = metadata.value(at: Self.lifecyclePath)
                action = watch.observed(spotInstanceAction: try await spot, targetLifecycleState: try await lifecycle)
            } catch {
                action = watch.failed("\(error)")
            }
            switch action {
            case .keepWatching:
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            case .drain(let notice):
                let budget = notice.drainBudget(now: Date(), margin: Self.spotMargin)
                logger.warning("instance is being terminated: draining",
                               metadata: ["reason": "\(notice.reason.rawValue)", "drain_budget": "\(budget.map { "\($0)" } ?? "the drain timeout")"])
                consumer.prepareToDrain(within: budget)
                return   // ends the group gracefully
            case .stopWatching(let reason):
                logger.info("no instance metadata: termination notices are not watched", metadata: ["error": "\(reason)"])
                try? await gracefulShutdown()
                return
            }
        }
    }
}
