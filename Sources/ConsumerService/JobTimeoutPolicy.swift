import ServiceSupport
import VideoCore

/// How long one job may run: long enough for its source and its job list, never as long as SQS lets a message
/// stay in flight.
///
/// `timeout = max(floor, duration × Σ factor(job) + margin)` (margin 15 min by default), at most ``ceiling``, computed once the source is
/// probed (before that, the floor). A job's factor is its running time per second of source on a machine that
/// encodes each FFmpeg run at real time, with a quarter again as headroom:
///
/// | job | factor |
/// | --- | --- |
/// | `transcode`, `hls` (every rendition in one FFmpeg run) | 1.25 |
/// | `cut_analysis` (a scene pass, then the clips) | 1.25 |
/// | `thumbnails` | 0.25 |
/// | `audio` | 0.1 |
/// | `transcribe` (Whisper `tiny.en` runs at about 0.4 × real time on 2 cores; larger models need a higher floor) | 1 |
/// | any other (registered handlers) | 1.25 |
///
/// HEVC and AV1 encodes count three times the H.264 factor of the jobs that encode video (`transcode`, `hls`,
/// `cut_analysis`): libx265 and SVT-AV1 run at about a third of libx264's speed at the matching presets.
///
/// So a 4-hour source with the default `transcode` gets 5 h 15 min, with `transcode,thumbnails` 6 h 15 min and
/// with `transcode,hls` 10 h 15 min.
struct JobTimeoutPolicy: Sendable, Equatable {
    /// The least timeout (`VIDEOQUEUE_JOB_TIMEOUT`): short sources, and before the probe.
    var floor: Duration
    /// Added for the download, the probe, the uploads and the odd slow moment (`VIDEOQUEUE_JOB_TIMEOUT_MARGIN`).
    var margin: Duration = .seconds(15 * 60)

    /// SQS keeps a received message in flight for at most 12 hours, heartbeats or not: past that it becomes
    /// visible and another consumer takes the record over.
    static let sqsInFlightLimit: Duration = .seconds(12 * 3600)
    /// The longest timeout: the SQS limit less 10 minutes for receiving, claiming and settling the job.
    static let ceiling: Duration = sqsInFlightLimit - .seconds(600)

    /// Seconds of running time per second of source for `job` encoding video in `codec`.
    static func factor(for job: JobType, codec: VideoCodec = .h264) -> Double {
        let encoding = codec == .h264 ? 1.25 : 3.75
        return switch job {
        case .transcode, .hls, .cutAnalysis: encoding
        case .thumbnails: 0.25
        case .audio: 0.1
        case .transcribe: 1
        default: 1.25
        }
    }

    /// The uncapped timeout for a source of `duration` seconds (`nil`: unknown, the floor) running `jobs`.
    func uncappedTimeout(duration: Double?, jobs: [JobType], codec: VideoCodec = .h264) -> Duration {
        guard let duration, duration.isFinite, duration > 0 else { return floor }
        let perSecond = jobs.reduce(0) { $0 + Self.factor(for: $1, codec: codec) }
        let needed = Duration.milliseconds(Int64(min(duration * perSecond, 1e9) * 1000)) + margin
        return max(floor, needed)
    }

    /// The timeout for a source of `duration` seconds running `jobs`: ``uncappedTimeout(duration:jobs:)`` at most
    /// ``ceiling``.
    func timeout(duration: Double?, jobs: [JobType], codec: VideoCodec = .h264) -> Duration {
        min(Self.ceiling, uncappedTimeout(duration: duration, jobs: jobs, codec: codec))
    }

    /// Refuses settings that cannot work together: a floor SQS cannot keep a message in flight for, and a
    /// longest source whose default jobs need more than that.
    /// - Throws: `ConfigurationError` naming both settings.
    func validate(maximumDuration: Double, defaultJobs: [JobType]) throws {
        guard floor < Self.ceiling else {
            throw ConfigurationError(setting: "VIDEOQUEUE_JOB_TIMEOUT", message: """
                \(floor) cannot work with VIDEOQUEUE_VISIBILITY_TIMEOUT: SQS keeps a message in flight for at most 12 h \
                however often its visibility is extended, so the job timeout must stay below \(Self.ceiling)
                """)
        }
        let needed = uncappedTimeout(duration: maximumDuration, jobs: defaultJobs)
        guard needed <= Self.ceiling else {
            let jobs = defaultJobs.map(\.rawValue).joined(separator: ",")
            throw ConfigurationError(setting: "VIDEOQUEUE_MAX_DURATION", message: """
                a \(Int(maximumDuration)) s source with VIDEOQUEUE_DEFAULT_JOBS=\(jobs) needs a job timeout of \(needed), which \
                VIDEOQUEUE_JOB_TIMEOUT cannot reach: SQS keeps a message in flight for at most 12 h (the job timeout's ceiling \
                is \(Self.ceiling)); lower VIDEOQUEUE_MAX_DURATION or the default jobs
                """)
        }
    }
}
