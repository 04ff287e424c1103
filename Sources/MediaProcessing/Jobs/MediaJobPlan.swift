/// The order and grouping in which a job list runs: a pure decision, made before anything runs.
///
/// Jobs run one after the other in the order asked, except that
/// - `transcode` and `hls` together become one step (``SingleEncodeHandler``: one encode, packaged twice) when
///   encoding once is on — at the place of the first of the two;
/// - `transcribe` runs before `transcode` and `hls`, so that they can carry its captions.
public struct MediaJobPlan: Sendable, Equatable {
    /// One run of one handler, producing the outputs of `jobs`.
    public struct Step: Sendable, Equatable {
        /// The jobs whose outputs this step writes: one name, or ``SingleEncodeHandler/jobs``.
        public var jobs: [String]

        public init(jobs: [String]) {
            self.jobs = jobs
        }

        /// Whether this is the single-encode step for `transcode` and `hls`.
        public var isSingleEncode: Bool { jobs == SingleEncodeHandler.jobs }
    }

    /// The steps, in running order.
    public var steps: [Step]

    public init(steps: [Step]) {
        self.steps = steps
    }

    /// The plan for `jobs` (each name once, in this order; duplicates dropped).
    public init(jobs: [String], encodesOnce: Bool) {
        var seen = Set<String>()
        var unique = jobs.filter { seen.insert($0).inserted }
        let carriers: Set<String> = ["transcode", "hls"]
        if let transcribe = unique.firstIndex(of: "transcribe"), let carrier = unique.firstIndex(where: carriers.contains),
            carrier < transcribe
        {
            unique.remove(at: transcribe)
            unique.insert("transcribe", at: carrier)
        }
        let shared = Set(SingleEncodeHandler.jobs)
        let combine = encodesOnce && shared.isSubset(of: seen)
        var steps: [Step] = []
        for job in unique {
            if combine, shared.contains(job) {
                if !steps.contains(where: \.isSingleEncode) { steps.append(Step(jobs: SingleEncodeHandler.jobs)) }
            } else {
                steps.append(Step(jobs: [job]))
            }
        }
        self.steps = steps
    }

    /// The number of jobs the plan covers (each one an equal share of the progress).
    public var jobCount: Int { steps.reduce(0) { $0 + $1.jobs.count } }
}
