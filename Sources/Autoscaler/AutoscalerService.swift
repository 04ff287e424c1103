import AWSQuery
import Foundation
import Logging
import SQSClient

/// The autoscaler's rounds: read the queue (and the consumers' metrics), decide with ``ScalingDecider``, then
/// act by mode: start/stop local instances through ``SystemctlController``, publish to CloudWatch, or only
/// report (dry run).
public actor AutoscalerService {
    /// The configuration (validated).
    public let configuration: AutoscalerConfiguration
    let sqs: SQSClient
    let cloudWatch: CloudWatchClient?
    let autoScaling: AutoScalingGroupClient?
    let systemctl: SystemctlController?
    let scraper: MetricsScraper
    let clock: @Sendable () -> Date
    let logger: Logger
    private var estimator = ProcessingTimeEstimator()
    private var state: AutoscalerState

    /// An autoscaler. `cloudWatch` is required with ``AutoscalerConfiguration/cloudWatch``, `systemctl` with
    /// ``AutoscalerConfiguration/local``.
    /// - Throws: ``AutoscalerError`` when a needed client is missing or the state file cannot be read.
    public init(
        configuration: AutoscalerConfiguration, sqs: SQSClient, cloudWatch: CloudWatchClient? = nil,
        autoScaling: AutoScalingGroupClient? = nil, systemctl: SystemctlController? = nil,
        scraper: MetricsScraper = MetricsScraper(), clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "videoqueue.autoscaler")
    ) throws(AutoscalerError) {
        if configuration.local, systemctl == nil {
            throw AutoscalerError(code: .configuration, message: "the local mode needs a systemctl controller")
        }
        if configuration.cloudWatch, cloudWatch == nil {
            throw AutoscalerError(code: .configuration, message: "the CloudWatch mode needs a CloudWatch client")
        }
        if configuration.autoScalingGroup != nil, autoScaling == nil {
            throw AutoscalerError(code: .configuration, message: "an Auto Scaling group name needs an Auto Scaling client")
        }
        self.configuration = configuration
        self.sqs = sqs
        self.cloudWatch = cloudWatch
        self.autoScaling = autoScaling
        self.systemctl = systemctl
        self.scraper = scraper
        self.clock = clock
        self.logger = logger
        self.state = try configuration.stateFile.map { path throws(AutoscalerError) in try AutoscalerState.load(from: path) } ?? AutoscalerState()
    }

    /// The remembered state (the last scaling action).
    public var currentState: AutoscalerState { state }

    /// Runs rounds every ``AutoscalerConfiguration/interval`` until the task is cancelled; a failed round is
    /// logged and the next one runs. `report` receives each round.
    public func run(report: @Sendable (AutoscalerRound) -> Void) async throws {
        while true {
            try Task.checkCancellation()
            do {
                report(try await runOnce())
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.error("autoscaler round failed", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: configuration.interval)
        }
    }

    /// One round: observe, decide, act.
    public func runOnce() async throws -> AutoscalerRound {
        let attributes = try await sqs.attributes(of: configuration.queueURL, names: QueueMetrics.attributeNames)
        let queue = try QueueMetrics(attributes: attributes)
        let (instances, snapshots) = try await observeInstances()
        let averageProcessingTime = estimator.update(snapshots)
        let now = clock()
        let input = ScalingInput(
            queue: queue, instances: instances, averageProcessingTime: averageProcessingTime,
            lastScalingAction: state.lastScalingAction, now: now)
        let decision = ScalingDecider.decide(input, policy: configuration.policy)
        var started: [Int] = []
        var stopped: [Int] = []
        if configuration.local, !configuration.dryRun, let systemctl {
            defer {
                if !started.isEmpty || !stopped.isEmpty { remember(now) }
            }
            for number in decision.start {
                try await systemctl.start(number)
                started.append(number)
                logger.info("started consumer", metadata: ["instance": "\(number)"])
            }
            for number in decision.stop {
                try await systemctl.stop(number)
                stopped.append(number)
                logger.info("asked idle consumer to stop", metadata: ["instance": "\(number)"])
            }
        }
        var published: [MetricDatum] = []
        if configuration.cloudWatch {
            published = cloudWatchData(queue: queue, decision: decision, now: now)
            if !configuration.dryRun, let cloudWatch {
                try await cloudWatch.putMetricData(published, namespace: configuration.namespace)
            }
        }
        return AutoscalerRound(
            queue: queue, decision: decision, started: started, stopped: stopped, metrics: published,
            dryRun: configuration.dryRun)
    }

    private func remember(_ date: Date) {
        state.lastScalingAction = date
        guard let path = configuration.stateFile else { return }
        do {
            try state.save(to: path)
        } catch {
            logger.warning("cannot save the autoscaler state", metadata: ["error": "\(error)"])
        }
    }

    /// The instances (local units, the group's InService count, or the configured count) and every metrics
    /// endpoint's snapshot.
    private func observeInstances() async throws -> ([ConsumerInstance], [String: ConsumerMetricsSnapshot?]) {
        if configuration.local, let systemctl {
            let units = try await systemctl.units().filter { $0.isRunning || $0.isDraining }
            let own = Dictionary(units.map { (configuration.metricsURL(instance: $0.number), $0) }, uniquingKeysWith: { first, _ in first })
            let snapshots = await scraper.scrape(Array(Set(own.keys).union(configuration.metricsURLs)))
            let instances = units.map { unit in
                let snapshot = snapshots[configuration.metricsURL(instance: unit.number)] ?? nil
                return ConsumerInstance(number: unit.number, inFlight: snapshot?.inFlight, isDraining: unit.isDraining)
            }
            return (instances, snapshots)
        }
        let snapshots = await scraper.scrape(configuration.metricsURLs)
        let count: Int
        if let group = configuration.autoScalingGroup, let autoScaling {
            count = try await autoScaling.inServiceCount(group: group)
        } else if let fixed = configuration.instanceCount {
            count = fixed
        } else {
            count = snapshots.values.filter { $0 != nil }.count
        }
        // The machines of a group are not addressable one by one here: EC2 Auto Scaling chooses which to end
        // (protect busy ones with scale-in protection, see docs/deployment.md), so their load is not mapped.
        return ((0..<count).map { ConsumerInstance(number: $0 + 1) }, snapshots)
    }

    /// `BacklogPerInstance` and the raw counts, with the `QueueName` (and `AutoScalingGroupName`) dimensions.
    func cloudWatchData(queue: QueueMetrics, decision: ScalingDecision, now: Date) -> [MetricDatum] {
        var dimensions: [(name: String, value: String)] = [("QueueName", configuration.queueName)]
        if let group = configuration.autoScalingGroup { dimensions.append(("AutoScalingGroupName", group)) }
        func datum(_ name: String, _ value: Double, unit: String = "Count") -> MetricDatum {
            MetricDatum(name: name, value: value, unit: unit, dimensions: dimensions, timestamp: now)
        }
        return [
            datum("BacklogPerInstance", decision.backlogPerInstance),
            datum("ApproximateNumberOfMessagesVisible", Double(queue.visible)),
            datum("ApproximateNumberOfMessagesNotVisible", Double(queue.notVisible)),
            datum("ApproximateNumberOfMessagesDelayed", Double(queue.delayed)),
            datum("DesiredConsumers", Double(decision.desiredInstances)),
            datum("AcceptableBacklogPerInstance", decision.acceptableBacklogPerInstance),
            datum("AverageProcessingTime", decision.processingTime, unit: "Seconds"),
        ]
    }
}
