/// One progress report of a running FFmpeg, from a `-progress` block.
public struct FFmpegProgress: Sendable, Equatable {
    /// How far into the output FFmpeg is, in seconds (`out_time_us`).
    public var outTime: Double?
    /// The processing speed as a multiple of real time (`speed=2.5x`).
    public var speed: Double?
    /// The number of frames written so far.
    public var frame: Int?
    /// The percentage done, 0…100, against the expected duration; 100 at the end.
    public var percent: Double?
    /// The estimated seconds left.
    public var estimatedTimeRemaining: Double?
    /// Whether this is the final block (`progress=end`).
    public var isEnd: Bool

    public init(
        outTime: Double? = nil, speed: Double? = nil, frame: Int? = nil, percent: Double? = nil,
        estimatedTimeRemaining: Double? = nil, isEnd: Bool = false
    ) {
        self.outTime = outTime
        self.speed = speed
        self.frame = frame
        self.percent = percent
        self.estimatedTimeRemaining = estimatedTimeRemaining
        self.isEnd = isEnd
    }
}
