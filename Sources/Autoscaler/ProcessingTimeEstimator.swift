/// The average processing time of one job across the consumers, from successive scrapes of their job-duration
/// histograms: the mean of the jobs that finished since the previous scrape when there are any, else the mean
/// since the consumers started, else `nil` (the configured value then applies).
public struct ProcessingTimeEstimator: Sendable {
    private var previous: [String: ConsumerMetricsSnapshot] = [:]

    public init() {}

    /// Takes this round's snapshots (by endpoint; `nil`: it did not answer) and returns the estimate.
    public mutating func update(_ snapshots: [String: ConsumerMetricsSnapshot?]) -> Double? {
        var windowSeconds = 0.0
        var windowCount = 0.0
        var totalSeconds = 0.0
        var totalCount = 0.0
        for (endpoint, snapshot) in snapshots {
            guard let snapshot else { continue }
            totalSeconds += snapshot.jobSeconds
            totalCount += snapshot.jobCount
            if let before = previous[endpoint], snapshot.jobCount >= before.jobCount, snapshot.jobSeconds >= before.jobSeconds {
                windowSeconds += snapshot.jobSeconds - before.jobSeconds
                windowCount += snapshot.jobCount - before.jobCount
            }
            previous[endpoint] = snapshot  // a restarted consumer (counters went down) starts a new baseline
        }
        if windowCount > 0 { return windowSeconds / windowCount }
        if totalCount > 0 { return totalSeconds / totalCount }
        return nil
    }
}
