/// The order and grouping in which a job list runs: a pure decision, made before anything runs.
///
/// Jobs run one after the other in the order asked, except that
/// - `transcode` with `hls` and/or `thumbnails` become one step (``SingleEncodeHandler``: one decode, one encode,
///   packaged as MP4 and HLS, thumbnails picked from the decoded frames) when encoding once is on — at the place of
///   the first of them;
/// - `transcribe` runs before `transcode` and `hls`, so that they can carry its captions.
public struct MediaJobPlan: Sendable, Equatable {
    /// One run of one handler, producing the outputs of `jobs`.
    public struct Step: Sendable, Equatable {
        /// The jobs whose outputs this step writes: one name, or several for a ``SingleEncodeHandler``.
        public var jobs: [String]

        public init(jobs: [String]) {
            self.jobs = jobs
        }

        /// Whether this is a single-encode step (several jobs from one run).
        public var isSingleEncode: Bool { jobs.count > 1 }
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
        let shared = SingleEncodeHandler.candidates.filter(seen.contains)
        let combine = encodesOnce && seen.contains("transcode") && shared.count > 1
        var steps: [Step] = []
        for job in unique {
            if combine, shared.contains(job) {
                if !steps.contains(where: \.isSingleEncode) { steps.append(Step(jobs: shared)) }
            } else {
                steps.append(Step(jobs: [job]))
            }
        }
        self.steps = steps
    }

    /// The number of jobs the plan covers (each one an equal share of the progress).
    public var jobCount: Int { steps.reduce(0) { $0 + $1.jobs.count } }
}
