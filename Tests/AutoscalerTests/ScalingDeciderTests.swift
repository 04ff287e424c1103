import Autoscaler
import Foundation
import Testing

/// The decision function on tables of inputs.
@Suite struct ScalingDeciderTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var queue: QueueMetrics
        /// (number, in flight (nil: unknown), draining)
        var instances: [(Int, Int?, Bool)]
        var measured: Double? = nil
        var secondsSinceLastAction: Double? = nil
        var policy = ScalingPolicy()
        var desired: Int
        var start: [Int] = []
        var stop: [Int] = []
        var testDescription: String { name }
    }

    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    static let rows: [Row] = [
        Row(
            name: "empty queue, nothing running: the minimum starts", queue: QueueMetrics(visible: 0, notVisible: 0, delayed: 0),
            instances: [], desired: 1, start: [1]),
        Row(
            name: "100 waiting, 5 per instance (300 s ÷ 60 s): 20, capped at max 10", queue: QueueMetrics(visible: 100, notVisible: 0, delayed: 0),
            instances: [(1, 0, false), (2, 0, false)], desired: 10, start: [3, 4, 5, 6, 7, 8, 9, 10]),
        Row(
            name: "measured 30 s per job: 10 per instance, 12 waiting → 2, hold", queue: QueueMetrics(visible: 12, notVisible: 0, delayed: 0),
            instances: [(1, 0, false), (2, 1, false)], measured: 30, desired: 2),
        Row(
            name: "2 jobs per instance double the acceptable backlog", queue: QueueMetrics(visible: 12, notVisible: 0, delayed: 0),
            instances: [], policy: ScalingPolicy(jobsPerInstance: 2), desired: 2, start: [1, 2]),
        Row(
            name: "delayed messages are backlog", queue: QueueMetrics(visible: 0, notVisible: 0, delayed: 6),
            instances: [(1, 0, false)], desired: 2, start: [2]),
        Row(
            name: "in flight keeps its consumers: 5 running jobs, empty queue, 5 busy instances stay",
            queue: QueueMetrics(visible: 0, notVisible: 5, delayed: 0),
            instances: [(1, 1, false), (2, 1, false), (3, 1, false), (4, 1, false), (5, 1, false)], desired: 5),
        Row(
            name: "in flight 5 at 2 per instance → 3: the two idle highest go",
            queue: QueueMetrics(visible: 0, notVisible: 5, delayed: 0),
            instances: [(1, 2, false), (2, 2, false), (3, 1, false), (4, 0, false), (5, 0, false)],
            policy: ScalingPolicy(jobsPerInstance: 2), desired: 3, stop: [5, 4]),
        Row(
            name: "scale-in inside the cooldown waits", queue: QueueMetrics(visible: 0, notVisible: 0, delayed: 0),
            instances: [(1, 0, false), (2, 0, false), (3, 0, false)], secondsSinceLastAction: 100, desired: 1),
        Row(
            name: "scale-in after the cooldown stops the highest idle", queue: QueueMetrics(visible: 0, notVisible: 0, delayed: 0),
            instances: [(1, 0, false), (2, 0, false), (3, 0, false)], secondsSinceLastAction: 400, desired: 1, stop: [3, 2]),
        Row(
            name: "instances without metrics are never stopped", queue: QueueMetrics(visible: 0, notVisible: 0, delayed: 0),
            instances: [(1, nil, false), (2, nil, false), (3, nil, false)], desired: 1),
        Row(
            name: "busy ones are skipped: highest idle first", queue: QueueMetrics(visible: 0, notVisible: 1, delayed: 0),
            instances: [(1, 0, false), (2, 1, false), (3, 0, false), (4, 0, false)], desired: 1, stop: [4, 3, 1]),
        Row(
            name: "6 waiting → 2: stop 2 of 4, highest idle", queue: QueueMetrics(visible: 6, notVisible: 1, delayed: 0),
            instances: [(1, 0, false), (2, 1, false), (3, 0, false), (4, 0, false)], desired: 2, stop: [4, 3]),
        Row(
            name: "draining instances are no capacity and their numbers are not reused", queue: QueueMetrics(visible: 10, notVisible: 0, delayed: 0),
            instances: [(1, 0, false), (2, 1, true)], desired: 2, start: [3]),
        Row(
            name: "free numbers fill the gaps first", queue: QueueMetrics(visible: 20, notVisible: 0, delayed: 0),
            instances: [(2, 1, false), (5, 1, false)], desired: 4, start: [1, 3]),
        Row(
            name: "minimum 0 lets an idle fleet go to zero", queue: QueueMetrics(visible: 0, notVisible: 0, delayed: 0),
            instances: [(1, 0, false)], policy: ScalingPolicy(minimumInstances: 0), desired: 0, stop: [1]),
        Row(
            name: "a nonsense measurement falls back to the configured time", queue: QueueMetrics(visible: 10, notVisible: 0, delayed: 0),
            instances: [], measured: 0, desired: 2, start: [1, 2]),
        Row(
            name: "fractional acceptable backlog rounds the instances up (100 s ÷ 30 s = 3.33; 7 → 3)",
            queue: QueueMetrics(visible: 7, notVisible: 0, delayed: 0), instances: [],
            measured: 30, policy: ScalingPolicy(acceptableLatency: .seconds(100)), desired: 3, start: [1, 2, 3]),
        Row(
            name: "in flight beyond the maximum is capped", queue: QueueMetrics(visible: 0, notVisible: 50, delayed: 0),
            instances: [], policy: ScalingPolicy(maximumInstances: 4), desired: 4, start: [1, 2, 3, 4]),
        Row(
            name: "more running than the maximum: scale in by idle ones only", queue: QueueMetrics(visible: 100, notVisible: 3, delayed: 0),
            instances: [(1, 1, false), (2, 1, false), (3, 1, false), (4, 0, false)], policy: ScalingPolicy(maximumInstances: 2),
            desired: 2, stop: [4]),
    ]

    @Test(arguments: rows)
    func decides(_ row: Row) {
        let input = ScalingInput(
            queue: row.queue,
            instances: row.instances.map { ConsumerInstance(number: $0.0, inFlight: $0.1, isDraining: $0.2) },
            averageProcessingTime: row.measured,
            lastScalingAction: row.secondsSinceLastAction.map { Self.base.addingTimeInterval(-$0) }, now: Self.base)
        let decision = ScalingDecider.decide(input, policy: row.policy)
        #expect(decision.desiredInstances == row.desired, "\(decision)")
        #expect(decision.start == row.start, "\(decision)")
        #expect(decision.stop == row.stop, "\(decision)")
        #expect(decision.targetInstances == decision.currentInstances + row.start.count - row.stop.count)
        #expect(!decision.reasons.isEmpty)
    }

    @Test func backlogPerInstanceAndAcceptableBacklog() {
        let policy = ScalingPolicy(acceptableLatency: .seconds(600), jobsPerInstance: 2)
        let four = ScalingDecider.decide(
            ScalingInput(
                queue: QueueMetrics(visible: 8, notVisible: 0, delayed: 2),
                instances: (1...4).map { ConsumerInstance(number: $0, inFlight: 0) },
                averageProcessingTime: 120), policy: policy)
        #expect(four.backlogPerInstance == 2.5)
        #expect(four.acceptableBacklogPerInstance == 10)  // 600 s ÷ 120 s × 2 jobs
        #expect(four.processingTime == 120)
        #expect(four.processingTimeMeasured)
        #expect(four.backlogInstances == 1)
        let none = ScalingDecider.decide(ScalingInput(queue: QueueMetrics(visible: 10, notVisible: 0, delayed: 0), instances: []), policy: policy)
        #expect(none.backlogPerInstance == 10)
        #expect(!none.processingTimeMeasured)
        #expect(none.processingTime == 60)
    }

    @Test func theReasonsSayWhy() {
        let decision = ScalingDecider.decide(
            ScalingInput(
                queue: QueueMetrics(visible: 0, notVisible: 0, delayed: 0),
                instances: [ConsumerInstance(number: 1, inFlight: 0), ConsumerInstance(number: 2, inFlight: 1)],
                lastScalingAction: Self.base.addingTimeInterval(-60), now: Self.base),
            policy: ScalingPolicy(minimumInstances: 0))
        let text = decision.description
        #expect(text.contains("hold at 2"))
        #expect(text.contains("cooldown, 240 s of 300 s left"))
        #expect(text.contains("backlog 0"))
    }

    @Test func queueAttributesAreRead() throws {
        let metrics = try QueueMetrics(attributes: ["ApproximateNumberOfMessages": "7", "ApproximateNumberOfMessagesNotVisible": "3"])
        #expect(metrics == QueueMetrics(visible: 7, notVisible: 3, delayed: 0))
        #expect(metrics.backlog == 7)
        #expect(throws: AutoscalerError.self) { try QueueMetrics(attributes: ["ApproximateNumberOfMessages": "-1"]) }
        #expect(throws: AutoscalerError.self) { try QueueMetrics(attributes: ["ApproximateNumberOfMessagesDelayed": "many"]) }
    }

    @Test func policiesAreValidated() {
        #expect(throws: AutoscalerError.self) { try ScalingPolicy(minimumInstances: 5, maximumInstances: 2).validate() }
        #expect(throws: AutoscalerError.self) { try ScalingPolicy(acceptableLatency: .zero).validate() }
        #expect(throws: AutoscalerError.self) { try ScalingPolicy(jobsPerInstance: 0).validate() }
        #expect(throws: AutoscalerError.self) { try ScalingPolicy(defaultProcessingTime: .seconds(-1)).validate() }
        #expect(throws: Never.self) { try ScalingPolicy().validate() }
    }
}
