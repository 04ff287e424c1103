/// The dependency checks behind `/readyz`, run at most once per ``maximumAge`` however many requests ask (the route
/// is public: without this every request would cost a database query, an S3 and an SQS call). Requests that arrive
/// while a run is under way share its result. Each check is bounded (``OperationsRoutes/checkTimeout``), so a run
/// ends promptly however the dependencies behave.
actor ReadinessChecks {
    /// How long a result is served before the checks run again.
    static let maximumAge: Duration = .seconds(1)

    private let run: @Sendable () async -> [String: String]
    private var last: (at: ContinuousClock.Instant, checks: [String: String])?
    private var running: Task<[String: String], Never>?

    init(run: @escaping @Sendable () async -> [String: String]) {
        self.run = run
    }

    /// The latest checks, run now when the last are older than ``maximumAge``.
    func current() async -> [String: String] {
        if let last, ContinuousClock.now - last.at < Self.maximumAge { return last.checks }
        if let running { return await running.value }
        let task = Task { await run() }
        running = task
        let checks = await task.value
        last = (.now, checks)
        running = nil
        return checks
    }
}
