/// What `cut_analysis` found: the cuts (scene changes) and the clips between them. Written as
/// `cut_analysis/cuts.json`.
public struct CutAnalysisReport: Sendable, Equatable, Codable {
    /// One detected scene change.
    public struct Cut: Sendable, Equatable, Codable {
        /// When the new scene starts, in seconds.
        public var time: Double
        /// FFmpeg's scene score, 0…1.
        public var score: Double

        public init(time: Double, score: Double) {
            self.time = time
            self.score = score
        }
    }

    /// One clip between two cuts (or an end).
    public struct Clip: Sendable, Equatable, Codable {
        /// The clip's number, from 0.
        public var index: Int
        /// Its start in the input, in seconds.
        public var start: Double
        /// Its end in the input, in seconds.
        public var end: Double
        /// The score of the cut that starts it (0 for the first clip).
        public var score: Double
        /// Its MP4, relative to the job's output directory, when clips are written.
        public var path: String?

        public init(index: Int, start: Double, end: Double, score: Double, path: String?) {
            self.index = index
            self.start = start
            self.end = end
            self.score = score
            self.path = path
        }
    }

    /// The scene-score threshold used.
    public var threshold: Double
    /// The input's duration, in seconds.
    public var duration: Double
    /// The cuts kept, in time order.
    public var cuts: [Cut]
    /// The clips, in time order; they cover the whole input.
    public var clips: [Clip]

    public init(threshold: Double, duration: Double, cuts: [Cut], clips: [Clip]) {
        self.threshold = threshold
        self.duration = duration
        self.cuts = cuts
        self.clips = clips
    }
}
