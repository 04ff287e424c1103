/// Why a media operation failed: a probe, an FFmpeg run, a job.
///
/// `isPermanent` tells the consumer whether retrying can help: bad input (unreadable, unsupported,
/// too large, no video…) is permanent and belongs in the dead-letter queue; a cancellation, a timeout
/// or a full disk is not.
public struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable reason.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// ffprobe could not read the input (corrupt, truncated, not media at all).
        public static let probeFailed = Code(rawValue: "probe_failed")
        /// The input is media, but in a container that is not accepted.
        public static let unsupportedFormat = Code(rawValue: "unsupported_format")
        /// The input has no video stream.
        public static let noVideoStream = Code(rawValue: "no_video_stream")
        /// The job needs an audio stream and the input has none.
        public static let noAudioStream = Code(rawValue: "no_audio_stream")
        /// The video's width, height or pixel count is above the limits.
        public static let dimensionsTooLarge = Code(rawValue: "dimensions_too_large")
        /// The input has more streams of any kind than the limit (ffprobe and FFmpeg open a decoder for each one).
        public static let tooManyStreams = Code(rawValue: "too_many_streams")
        /// The input has more video streams (attached pictures included) than the limit.
        public static let tooManyVideoStreams = Code(rawValue: "too_many_video_streams")
        /// A video stream's frame rate is above the limit (declared, or measured from its first packets when the
        /// file declares no average rate).
        public static let frameRateTooHigh = Code(rawValue: "frame_rate_too_high")
        /// An audio stream's sample rate is above the limit (resampling it costs memory and CPU in proportion).
        public static let sampleRateTooHigh = Code(rawValue: "sample_rate_too_high")
        /// An audio stream has more channels than the limit.
        public static let tooManyAudioChannels = Code(rawValue: "too_many_audio_channels")
        /// The input is longer than the limit.
        public static let durationTooLong = Code(rawValue: "duration_too_long")
        /// The input's duration is missing, zero or negative.
        public static let durationTooShort = Code(rawValue: "duration_too_short")
        /// The input file is empty.
        public static let emptyInput = Code(rawValue: "empty_input")
        /// The input file does not exist or cannot be read.
        public static let inputNotFound = Code(rawValue: "input_not_found")
        /// The input probed fine but its media data is damaged or cut short (the output came out short).
        public static let corruptInput = Code(rawValue: "corrupt_input")
        /// The input holds more media than its declared duration (the duration the limits were checked on).
        public static let durationMismatch = Code(rawValue: "duration_mismatch")
        /// FFmpeg exited with an error while processing.
        public static let ffmpegFailed = Code(rawValue: "ffmpeg_failed")
        /// FFmpeg or ffprobe was killed by a signal from outside (the unit's memory limit, the OOM killer, an
        /// operator): transient, since the input is not shown to be at fault, but every attempt may end the same way.
        public static let ffmpegKilled = Code(rawValue: "ffmpeg_killed")
        /// The FFmpeg or ffprobe executable could not be started.
        public static let toolUnavailable = Code(rawValue: "tool_unavailable")
        /// The task running the operation was cancelled; the child process was killed.
        public static let cancelled = Code(rawValue: "cancelled")
        /// The operation ran longer than its timeout; the child process was killed.
        public static let timedOut = Code(rawValue: "timed_out")
        /// Not enough free disk space for the job's outputs (before a run, or an FFmpeg run whose outputs grew past
        /// their share of it and was stopped).
        public static let insufficientDiskSpace = Code(rawValue: "insufficient_disk_space")
        /// No handler is registered under the job type's name.
        public static let unknownJobType = Code(rawValue: "unknown_job_type")
        /// Writing or reading an output in the job directory failed.
        public static let outputFailed = Code(rawValue: "output_failed")
        /// Speech recognition failed or wrote a transcript that does not hold up.
        public static let transcriptionFailed = Code(rawValue: "transcription_failed")
        /// The job options are invalid (e.g. an empty rendition list).
        public static let invalidOptions = Code(rawValue: "invalid_options")

        /// Whether an error with this code is permanent by default (bad input or a bad job).
        public var isPermanentByDefault: Bool {
            switch self {
            case .cancelled, .timedOut, .insufficientDiskSpace, .toolUnavailable, .outputFailed, .ffmpegKilled:
                false
            default:
                true
            }
        }
    }

    /// The reason.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The child process's exit status (or terminating signal number) when one ran.
    public var exitStatus: Int32?
    /// The last lines FFmpeg or ffprobe wrote on stderr, oldest first.
    public var stderrTail: [String]
    /// Whether retrying cannot help (the input or the job is bad).
    public var isPermanent: Bool

    /// Creates an error; `isPermanent` defaults to the code's default.
    public init(
        code: Code,
        message: String,
        exitStatus: Int32? = nil,
        stderrTail: [String] = [],
        isPermanent: Bool? = nil
    ) {
        self.code = code
        self.message = message
        self.exitStatus = exitStatus
        self.stderrTail = stderrTail
        self.isPermanent = isPermanent ?? code.isPermanentByDefault
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let exitStatus { text += " (exit status \(exitStatus))" }
        if let last = stderrTail.last { text += " — \(last)" }
        return text
    }
}
