/// What the autoscaler reads from one consumer's `/metrics`: the jobs it runs now and the totals of its
/// job-duration histogram (`videoqueue_consumer_jobs_in_flight`, `videoqueue_consumer_job_duration_seconds`).
public struct ConsumerMetricsSnapshot: Sendable, Hashable {
    /// Jobs running now.
    public var inFlight: Int
    /// The sum of the durations (seconds) of the jobs counted in ``jobCount``.
    public var jobSeconds: Double
    /// Jobs finished since the consumer started (the outcomes that ran the whole job, `completed` and `failed`,
    /// when reported; otherwise all outcomes).
    public var jobCount: Double

    /// The gauge of running jobs.
    public static let inFlightMetric = "videoqueue_consumer_jobs_in_flight"
    /// The job-duration histogram (its `_sum` and `_count` series).
    public static let durationMetric = "videoqueue_consumer_job_duration_seconds"
    /// The outcomes whose durations measure processing (skipped or handed-back jobs would drag the mean down).
    public static let processingOutcomes: Set<String> = ["completed", "failed"]

    public init(inFlight: Int, jobSeconds: Double, jobCount: Double) {
        self.inFlight = inFlight
        self.jobSeconds = jobSeconds
        self.jobCount = jobCount
    }

    /// Reads a `/metrics` page. A page without the in-flight gauge counts as 0 jobs running only when it has
    /// other consumer metrics (swift-metrics creates the gauge at the first job); else `nil`: not a consumer.
    public init?(prometheusText text: String) {
        let samples = PrometheusSample.parse(text)
        let gauges = samples.filter { $0.name == Self.inFlightMetric && $0.value.isFinite }
        let isConsumer = !gauges.isEmpty || samples.contains { $0.name.hasPrefix("videoqueue_consumer_") }
        guard isConsumer else { return nil }
        let inFlight = Int(gauges.reduce(0) { $0 + max(0, $1.value) }.rounded())
        func totals(_ keep: (PrometheusSample) -> Bool) -> (seconds: Double, count: Double) {
            let sums = samples.filter { $0.name == Self.durationMetric + "_sum" && keep($0) && $0.value.isFinite }
            let counts = samples.filter { $0.name == Self.durationMetric + "_count" && keep($0) && $0.value.isFinite }
            return (sums.reduce(0) { $0 + $1.value }, counts.reduce(0) { $0 + $1.value })
        }
        var result = totals { Self.processingOutcomes.contains($0.labels["outcome"] ?? "") }
        if result.count == 0 { result = totals { _ in true } }
        self.init(inFlight: inFlight, jobSeconds: result.seconds, jobCount: result.count)
    }

    /// The mean job duration (seconds), `nil` before the first job.
    public var averageJobSeconds: Double? { jobCount > 0 ? jobSeconds / jobCount : nil }
}
