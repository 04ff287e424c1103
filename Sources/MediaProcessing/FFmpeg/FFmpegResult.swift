/// What a successful FFmpeg run left behind.
public struct FFmpegResult: Sendable, Equatable {
    /// The last lines of stderr (warnings, at `-loglevel error` usually none).
    public var stderrTail: [String]
    /// The last progress report.
    public var lastProgress: FFmpegProgress?
    /// The wall time of the run.
    public var elapsed: Duration

    public init(stderrTail: [String], lastProgress: FFmpegProgress?, elapsed: Duration) {
        self.stderrTail = stderrTail
        self.lastProgress = lastProgress
        self.elapsed = elapsed
    }
}
