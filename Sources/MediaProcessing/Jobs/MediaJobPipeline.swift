import Foundation
import Logging
import VideoCore

/// Runs several jobs on one input, one after the other (as ``MediaJobPlan`` orders and groups them), in one
/// output directory: checks the job names and the free disk space first, probes the input (unless given its
/// `MediaInfo`), then maps each step's progress into one overall percentage (each job an equal share).
public struct MediaJobPipeline: Sendable {
    /// One job's outputs.
    public struct JobResult: Sendable, Equatable {
        /// The job type's name.
        public var job: String
        /// What it wrote.
        public var files: [ProducedFile]

        public init(job: String, files: [ProducedFile]) {
            self.job = job
            self.files = files
        }
    }

    /// Progress across the whole sequence.
    public struct Progress: Sendable, Equatable {
        /// The running job.
        public var job: String
        /// Its position in the sequence, from 0.
        public var jobIndex: Int
        /// The number of jobs.
        public var jobCount: Int
        /// The running job's own progress.
        public var jobProgress: MediaProgress
        /// The whole sequence's percentage, 0…100, never decreasing.
        public var overallPercent: Double

        public init(job: String, jobIndex: Int, jobCount: Int, jobProgress: MediaProgress, overallPercent: Double) {
            self.job = job
            self.jobIndex = jobIndex
            self.jobCount = jobCount
            self.jobProgress = jobProgress
            self.overallPercent = overallPercent
        }
    }

    /// The job types known.
    public var registry: MediaJobRegistry
    /// Runs FFmpeg for the handlers.
    public var runner: FFmpegRunner
    /// Probes the input (with its limits) when no `MediaInfo` is given.
    public var probe: MediaProbe
    /// The handlers' knobs.
    public var options: MediaJobOptions
    /// Free space required before starting: `diskSpaceFactor` × the input's size (plus a 64 MiB margin).
    public var diskSpaceFactor: Double
    /// Where job starts are logged.
    public var logger: Logger
    /// Whether `transcode` and `hls` asked together share one encode (``SingleEncodeHandler``); off, each runs
    /// its own ladder (the per-job pipeline, kept for comparison).
    public var encodesOnce: Bool
    /// Runs speech recognition for `transcribe`.
    public var transcriber: WhisperTranscriber
    /// The codecs the installed FFmpeg can encode (checked at start-up); `nil`: not checked. A job asking for another
    /// fails as `invalidOptions` before anything runs.
    public var availableCodecs: Set<VideoCodec>?

    public init(
        registry: MediaJobRegistry = .standard, runner: FFmpegRunner = FFmpegRunner(), probe: MediaProbe? = nil,
        options: MediaJobOptions = MediaJobOptions(), diskSpaceFactor: Double = 3, encodesOnce: Bool = true,
        transcriber: WhisperTranscriber = WhisperTranscriber(), logger: Logger = Logger(label: "videoqueue.mediaprocessing.pipeline")
    ) {
        self.transcriber = transcriber
        self.encodesOnce = encodesOnce
        self.registry = registry
        self.runner = runner
        self.probe = probe ?? MediaProbe(configuration: runner.configuration)
        self.options = options
        self.diskSpaceFactor = diskSpaceFactor
        self.logger = logger
    }

    /// Runs `jobs` on `input`, writing under `outputDirectory`; stops at the first failure.
    /// - Throws: `MediaError` (`.unknownJobType` before anything runs, `.insufficientDiskSpace`, the
    ///   probe's and the handlers' errors).
    public func run(
        jobs: [String], input: URL, outputDirectory: URL, info: MediaInfo? = nil,
        progress: @escaping @Sendable (Progress) async -> Void = { _ in }
    ) async throws -> [JobResult] {
        if let availableCodecs, !availableCodecs.contains(options.codec), jobs.contains(where: ["transcode", "hls", "cut_analysis"].contains) {
            throw MediaError(
                code: .invalidOptions,
                message:
                    "this consumer's FFmpeg cannot encode \(options.codec.rawValue) (it has \(availableCodecs.sorted().map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let plan = MediaJobPlan(jobs: jobs, encodesOnce: encodesOnce)
        let handlers = try plan.steps.map { step throws(MediaError) -> any MediaJobHandler in
            if step.isSingleEncode { return SingleEncodeHandler(jobs: step.jobs) }
            return try registry.handler(named: step.jobs[0])
        }
        do {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw MediaError(code: .outputFailed, message: "cannot create \(outputDirectory.path): \(error)")
        }
        let inputSize = (try? FileManager.default.attributesOfItem(atPath: input.path)[.size] as? NSNumber)?.int64Value ?? 0
        try DiskSpace.ensureAvailable(at: outputDirectory, inputSize: inputSize, factor: diskSpaceFactor)
        let probed: MediaInfo
        if let info { probed = info } else { probed = try await probe.probe(input) }

        var results: [JobResult] = []
        let count = plan.jobCount
        var done = 0
        var captions: CaptionTrack?
        for (step, handler) in zip(plan.steps, handlers) {
            try Task.checkCancellationAsMediaError()
            let name = handler.name
            let first = done
            let share = step.jobs.count
            let context = MediaJobContext(
                input: input, info: probed, outputDirectory: outputDirectory, runner: runner,
                probe: MediaProbe(configuration: probe.configuration, limits: .unlimited, logger: logger), options: options,
                logger: logger, transcriber: transcriber, captions: captions
            ) { jobProgress in
                let overall = (Double(first) + Double(share) * jobProgress.percent / 100) / Double(count) * 100
                await progress(
                    Progress(job: name, jobIndex: first, jobCount: count, jobProgress: jobProgress, overallPercent: min(100, overall)))
            }
            logger.info("job started", metadata: ["job": "\(name)", "input": "\(input.lastPathComponent)"])
            let files: [ProducedFile]
            if let transcribe = handler as? TranscribeHandler {
                (files, captions) = try await transcribe.transcribe(context)
            } else {
                files = try await handler.run(context)
            }
            await context.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
            if step.jobs.count == 1 {
                results.append(JobResult(job: step.jobs[0], files: files))
            } else {
                for job in step.jobs {
                    results.append(JobResult(job: job, files: files.filter { $0.relativePath.hasPrefix(job + "/") }))
                }
            }
            done += share
        }
        return results
    }
}

extension Task where Success == Never, Failure == Never {
    /// Throws `MediaError.Code.cancelled` when the current task is cancelled.
    static func checkCancellationAsMediaError() throws(MediaError) {
        if Task.isCancelled { throw MediaError(code: .cancelled, message: "the task was cancelled") }
    }
}
