import ServiceSupport
import VideoCore

/// How long one job may run: long enough for its source and what the job encodes, never as long as SQS lets a
/// message stay in flight.
///
/// `timeout = max(floor, duration × Σ factor(job) + margin)` (margin 15 min by default), computed once the source is
/// probed (before that, the floor). A job's factor is its running time per second of source on a machine that
/// encodes each rendition at real time, with a quarter again as headroom. The renditions of a ladder are encoded
/// together, by one FFmpeg run that decodes the source once and feeds every encoder at the same pace, so a ladder
/// takes the time of one rendition at that speed (``Workload/renditions`` is kept for the messages):
///
/// | job | factor |
/// | --- | --- |
/// | `transcode` | 1.25 |
/// | `hls` | 1.25; 0 beside `transcode` when the two share one encode (`VIDEOQUEUE_SINGLE_ENCODE`) |
/// | `cut_analysis` (a scene pass, then one encode of the clips) | 1.25 |
/// | `thumbnails` | 0.25 |
/// | `audio` | 0.1 |
/// | `transcribe` (Whisper `tiny.en` runs at about 0.4 × real time on 2 cores; larger models need a higher floor) | 1 |
/// | any other (registered handlers) | 1.25 |
///
/// HEVC and AV1 encodes count three times the H.264 factor of the jobs that encode video (`transcode`, `hls`,
/// `cut_analysis`): libx265 and SVT-AV1 run at about a third of libx264's speed at the matching presets.
///
/// So a 4-hour source at the defaults (`transcode`) gets 5 h 15 min, with thumbnails 6 h 15 min; in HEVC 15 h 15 min,
/// which no job can have: a source whose timeout would pass ``ceiling`` cannot finish within SQS's 12-hour in-flight
/// limit, and is failed when it is probed, with ``tooLongCode``, instead of running for hours and failing as
/// `job_timeout` (``refusal(duration:workload:)``).
struct JobTimeoutPolicy: Sendable, Equatable {
    /// What a job does, as far as its running time goes.
    struct Workload: Sendable, Equatable {
        /// The jobs, in any order.
        var jobs: [JobType]
        /// How many renditions each video encode makes (at least 1): the ladder asked for, less the renditions above the
        /// source's size (`Rendition.ladder`). Encoded together by one run, they do not add to the time.
        var renditions: Int = 1
        /// The video codec of every encode.
        var codec: VideoCodec = .h264
        /// Whether `transcode` and `hls` asked together share one encode (`VIDEOQUEUE_SINGLE_ENCODE`).
        var encodesOnce: Bool = true
    }

    /// The least timeout (`VIDEOQUEUE_JOB_TIMEOUT`): short sources, and before the probe.
    var floor: Duration
    /// Added for the download, the probe, the uploads and the odd slow moment (`VIDEOQUEUE_JOB_TIMEOUT_MARGIN`).
    var margin: Duration = .seconds(15 * 60)

    /// SQS keeps a received message in flight for at most 12 hours, heartbeats or not: past that it becomes
    /// visible and another consumer takes the record over.
    static let sqsInFlightLimit: Duration = .seconds(12 * 3600)
    /// The longest timeout: the SQS limit less 10 minutes for receiving, claiming and settling the job.
    static let ceiling: Duration = sqsInFlightLimit - .seconds(600)
    /// The failure code of a source whose job cannot finish within ``ceiling``.
    static let tooLongCode = "job_too_long"

    /// Seconds of running time per second of source for one encode of one rendition in `codec`.
    static func encodeFactor(_ codec: VideoCodec) -> Double {
        codec == .h264 ? 1.25 : 3.75
    }

    /// Seconds of running time per second of source for `job` in `workload`.
    static func factor(for job: JobType, in workload: Workload) -> Double {
        let encode = encodeFactor(workload.codec)
        return switch job {
        case .transcode: encode
        case .hls: workload.encodesOnce && workload.jobs.contains(.transcode) ? 0 : encode
        case .cutAnalysis: encode
        case .thumbnails: 0.25
        case .audio: 0.1
        case .transcribe: 1
        default: 1.25
        }
    }

    /// The uncapped timeout for a source of `duration` seconds (`nil`: unknown, the floor) running `workload`.
    func uncappedTimeout(duration: Double?, workload: Workload) -> Duration {
        guard let duration, duration.isFinite, duration > 0 else { return floor }
        let perSecond = Set(workload.jobs).reduce(0) { $0 + Self.factor(for: $1, in: workload) }
        let needed = Duration.milliseconds(Int64(min(duration * perSecond, 1e9) * 1000)) + margin
        return max(floor, needed)
    }

    /// The timeout for a source of `duration` seconds running `workload`: ``uncappedTimeout(duration:workload:)`` at
    /// most ``ceiling``.
    func timeout(duration: Double?, workload: Workload) -> Duration {
        min(Self.ceiling, uncappedTimeout(duration: duration, workload: workload))
    }

    /// The permanent failure (``tooLongCode``) of a probed source of `duration` seconds whose `workload` needs more
    /// than ``ceiling``: it could not finish before SQS hands its message to another consumer. `nil`: it fits.
    func refusal(duration: Double?, workload: Workload) -> VideoFailure? {
        let needed = uncappedTimeout(duration: duration, workload: workload)
        guard needed > Self.ceiling, let duration else { return nil }
        let jobs = workload.jobs.map(\.rawValue).joined(separator: ",")
        return VideoFailure(
            code: Self.tooLongCode,
            message: """
                a \(Self.describe(.milliseconds(Int64(duration * 1000)))) source with jobs \(jobs), \(workload.renditions) \
                rendition\(workload.renditions == 1 ? "" : "s") in \(workload.codec.rawValue) needs a job timeout of \
                \(Self.describe(needed)) (encoded at real time, plus a quarter and the margin), past the \
                \(Self.describe(Self.ceiling)) a job can run before SQS's 12-hour in-flight limit; ask for H.264 or fewer \
                jobs, or send a shorter source
                """)
    }

    /// `4 h 15 min`, `12 min 30 s`, `45 s`.
    static func describe(_ duration: Duration) -> String {
        let seconds = Int(duration.seconds.rounded())
        let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
        if hours > 0 { return minutes > 0 ? "\(hours) h \(minutes) min" : "\(hours) h" }
        if minutes > 0 { return rest > 0 ? "\(minutes) min \(rest) s" : "\(minutes) min" }
        return "\(rest) s"
    }

    /// Refuses settings that cannot work together: a floor SQS cannot keep a message in flight for, and a
    /// longest source that the default jobs could not finish even at their least work (one rendition, H.264;
    /// `encodesOnce` as configured). Sources that need more — a ladder of renditions, HEVC or AV1 — are refused
    /// one by one when probed (``refusal(duration:workload:)``).
    /// - Throws: `ConfigurationError` naming both settings.
    func validate(maximumDuration: Double, defaultJobs: [JobType], encodesOnce: Bool = true) throws {
        guard floor < Self.ceiling else {
            throw ConfigurationError(
                setting: "VIDEOQUEUE_JOB_TIMEOUT",
                message: """
                    \(floor) cannot work with VIDEOQUEUE_VISIBILITY_TIMEOUT: SQS keeps a message in flight for at most 12 h \
                    however often its visibility is extended, so the job timeout must stay below \(Self.ceiling)
                    """)
        }
        let needed = uncappedTimeout(duration: maximumDuration, workload: Workload(jobs: defaultJobs, encodesOnce: encodesOnce))
        guard needed <= Self.ceiling else {
            let jobs = defaultJobs.map(\.rawValue).joined(separator: ",")
            throw ConfigurationError(
                setting: "VIDEOQUEUE_MAX_DURATION",
                message: """
                    a \(Int(maximumDuration)) s source with VIDEOQUEUE_DEFAULT_JOBS=\(jobs) needs a job timeout of \(needed) in \
                    H.264, which VIDEOQUEUE_JOB_TIMEOUT cannot reach: SQS keeps a message in flight for at most 12 h \
                    (the job timeout's ceiling is \(Self.ceiling)); lower VIDEOQUEUE_MAX_DURATION or the default jobs
                    """)
        }
    }
}
