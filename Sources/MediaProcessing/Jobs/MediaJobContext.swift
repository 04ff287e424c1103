import Foundation
import Logging
import Synchronization

/// Everything a job handler gets: the input, what it contains, where to write, how to run FFmpeg.
public struct MediaJobContext: Sendable {
    /// The input file.
    public var input: URL
    /// The probed input.
    public var info: MediaInfo
    /// The job's output directory; handlers write in a subdirectory named after themselves.
    public var outputDirectory: URL
    /// Runs FFmpeg.
    public var runner: FFmpegRunner
    /// Probes outputs (with `ProbeLimits.unlimited`).
    public var probe: MediaProbe
    /// The handlers' knobs.
    public var options: MediaJobOptions
    /// Where the handler logs.
    public var logger: Logger
    /// Runs speech recognition (`transcribe`).
    public var transcriber: WhisperTranscriber
    /// Captions an earlier `transcribe` step of the same pipeline wrote, for `transcode` and `hls` to carry.
    public var captions: CaptionTrack?
    /// The most bytes the outputs of one FFmpeg run of the job may take (`nil`: the free space at ``outputDirectory``
    /// less a 64 MiB margin, measured before each run); see ``outputSpace``.
    public var outputAllowance: Int64?
    private let progressSink: @Sendable (MediaProgress) async -> Void

    /// - Parameter progress: receives the job's progress; values never decrease (lower ones are dropped).
    public init(
        input: URL, info: MediaInfo, outputDirectory: URL, runner: FFmpegRunner = FFmpegRunner(), probe: MediaProbe? = nil,
        options: MediaJobOptions = MediaJobOptions(), logger: Logger = Logger(label: "videoqueue.mediaprocessing.job"),
        transcriber: WhisperTranscriber = WhisperTranscriber(), captions: CaptionTrack? = nil,
        progress: @escaping @Sendable (MediaProgress) async -> Void = { _ in }
    ) {
        self.transcriber = transcriber
        self.captions = captions
        self.input = input
        self.info = info
        self.outputDirectory = outputDirectory
        self.runner = runner
        self.probe = probe ?? MediaProbe(configuration: runner.configuration, limits: .unlimited, logger: logger)
        self.options = options
        self.logger = logger
        let highest = Mutex(-1.0)
        self.progressSink = { report in
            let forward = highest.withLock { highest -> Bool in
                guard report.percent > highest || (report.percent == highest && report.percent < 100) else { return false }
                highest = report.percent
                return true
            }
            if forward { await progress(report) }
        }
    }

    /// Reports progress (clamped to 0…100; a value below an earlier one is dropped).
    public func report(_ progress: MediaProgress) async {
        var progress = progress
        progress.percent = min(100, max(0, progress.percent))
        await progressSink(progress)
    }

    /// A progress callback for one FFmpeg run that covers `range` of the job's percentage.
    public func ffmpegProgress(covering range: ClosedRange<Double> = 0...100) -> @Sendable (FFmpegProgress) async -> Void {
        { ffmpeg in
            guard let percent = ffmpeg.percent else { return }
            let scaled = range.lowerBound + (range.upperBound - range.lowerBound) * percent / 100
            await self.report(MediaProgress(percent: scaled, estimatedTimeRemaining: ffmpeg.estimatedTimeRemaining))
        }
    }

    /// The video stream, or `MediaError.noVideoStream`.
    public func requireVideo() throws(MediaError) -> MediaStreamInfo {
        guard let video = info.videoStream, let width = video.displayWidth, let height = video.displayHeight, width > 0, height > 0 else {
            throw MediaError(code: .noVideoStream, message: "\(input.lastPathComponent) has no video stream")
        }
        return video
    }

    /// The `-map` / filter-graph specifier of `video` in input `input`: `0:1` for stream #1 of the first input.
    /// Handlers map the stream the probe validated by its index, never "the first video stream" (`0:v:0`), which
    /// may be an attached picture or another stream nobody checked.
    public func videoSpecifier(_ video: MediaStreamInfo, input: Int = 0) -> String {
        "\(input):\(video.index)"
    }

    /// The specifier of the audio stream the jobs use (`0:N`), or `nil` when the input has none.
    public var audioSpecifier: String? {
        info.audioStream.map { "0:\($0.index)" }
    }

    /// The most media time any output may hold: the declared duration the probe accepted, plus a slack of
    /// 10 % (at least 2 s). Every input of the job's file (``cappedInput(options:startingAt:)``) is read with `-t` at
    /// this cap (a seeking input: what is left of it after the seek), so media that runs on past its declared
    /// duration cannot make a longer output (or cost more CPU), and ``ensureComplete(outputDuration:expected:output:stderrTail:)``
    /// fails an output that reached past the declaration as `durationMismatch`.
    public var durationCap: Double? {
        guard let declared = info.duration, declared > 0, declared.isFinite else { return nil }
        return declared + Self.durationSlack(declared)
    }

    static func durationSlack(_ declared: Double) -> Double { max(2, declared * 0.1) }

    /// The bytes the next FFmpeg run's outputs may take in all: ``outputAllowance`` when set, else the space free now
    /// at ``outputDirectory`` less a 64 MiB margin (at least 1 MiB); `nil` when the free space cannot be read.
    public var outputSpace: Int64? {
        if let outputAllowance { return max(0, outputAllowance) }
        guard let free = try? DiskSpace.available(at: outputDirectory) else { return nil }
        return max(1 << 20, free - (64 << 20))
    }

    /// `-fs` for one of `count` file outputs of a run: each may take an equal share of ``outputSpace``, so no input
    /// can make FFmpeg fill the disk; FFmpeg stops the output there, and the run fails as incomplete. The HLS and
    /// `segment` muxers ignore `-fs`: their runs get ``outputLimit(for:)`` instead.
    public func outputSizeArguments(count: Int) -> [String] {
        guard let space = outputSpace else { return [] }
        return ["-fs", String(max(1, space / Int64(max(1, count))))]
    }

    /// The limit for a run writing under `subdirectory` of the output directory (e.g. `hls`): its files may take
    /// ``outputSpace`` in all; past it FFmpeg is stopped and the run fails as `insufficientDiskSpace`.
    public func outputLimit(for subdirectory: String) -> FFmpegInvocation.OutputLimit? {
        outputSpace.map { FFmpegInvocation.OutputLimit(directory: outputDirectory.appendingPathComponent(subdirectory, isDirectory: true), maximumBytes: $0) }
    }

    /// The job's input, read at most up to ``durationCap`` (`-t`), with `options` (e.g. a seek) before it. An input
    /// that seeks to `start` (`-ss` in `options`) reads at most what is left of the cap after it (and at least 1 s).
    public func cappedInput(options: [String] = [], startingAt start: Double = 0) -> FFmpegInvocation.Input {
        let cap = durationCap.map { ["-t", String(format: "%.3f", max(1, $0 - max(0, start)))] } ?? []
        return FFmpegInvocation.Input(url: input, options: options + cap)
    }

    /// The duration to measure progress against: the video stream's when shorter than the container's.
    public var effectiveDuration: Double? {
        let candidates = [info.duration, info.videoStream?.duration].compactMap { $0 }.filter { $0 > 0 }
        return candidates.min()
    }

    /// Empties (or creates) `name` under the output directory, so a rerun leaves no stale files.
    public func freshDirectory(_ name: String) throws(MediaError) -> URL {
        let directory = outputDirectory.appendingPathComponent(name, isDirectory: true)
        do {
            if FileManager.default.fileExists(atPath: directory.path) {
                try FileManager.default.removeItem(at: directory)
            }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MediaError(code: .outputFailed, message: "cannot prepare \(directory.path): \(error)")
        }
        return directory
    }

    /// Describes a file the handler wrote at `relativePath` (its size read from disk).
    public func producedFile(
        _ kind: ProducedFile.Kind, at relativePath: String, contentType: String, width: Int? = nil, height: Int? = nil,
        duration: Double? = nil
    ) throws(MediaError) -> ProducedFile {
        let url = outputDirectory.appendingPathComponent(relativePath)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            let size = (attributes[.size] as? NSNumber)?.int64Value, size > 0
        else {
            throw MediaError(code: .ffmpegFailed, message: "FFmpeg did not write \(relativePath)")
        }
        return ProducedFile(
            kind: kind, relativePath: relativePath, contentType: contentType, size: size, width: width, height: height, duration: duration)
    }

    /// Throws `MediaError.Code.corruptInput` when an output lasts clearly less than the input (more than
    /// 10 % and 0.5 s short): FFmpeg stops without an error at the end of a truncated file's data; and
    /// `durationMismatch` when it lasts clearly longer than the input declared (more than half the slack of
    /// ``durationCap``): the file holds more media than its header says, and the limits were checked on the header.
    public func ensureComplete(outputDuration: Double?, expected: Double?, output: String, stderrTail: [String] = []) throws(MediaError) {
        guard let outputDuration else { return }
        if let declared = info.duration, declared > 0, outputDuration > declared + Self.durationSlack(declared) / 2 {
            throw MediaError(
                code: .durationMismatch,
                message:
                    "the input declares \(String(format: "%.2f", declared)) s but holds more media (\(output) reached \(String(format: "%.2f", outputDuration)) s before it was cut)",
                stderrTail: stderrTail)
        }
        guard let expected, expected > 0 else { return }
        if outputDuration < expected * 0.9 - 0.5 {
            throw MediaError(
                code: .corruptInput,
                message:
                    "\(output) lasts \(String(format: "%.2f", outputDuration)) s of the input's \(String(format: "%.2f", expected)) s: the input is damaged or truncated",
                stderrTail: stderrTail)
        }
    }

    /// Describes a video or audio file the handler wrote, with its dimensions and duration probed: an MP4 is
    /// read in process by ``MP4Inspector`` (which also checks its structure), anything else — or an MP4 the
    /// inspector cannot read — by ffprobe.
    public func probedFile(_ kind: ProducedFile.Kind, at relativePath: String, contentType: String) async throws -> ProducedFile {
        var file = try producedFile(kind, at: relativePath, contentType: contentType)
        if relativePath.hasSuffix(".mp4"), let summary = MP4Inspector().inspect(outputDirectory.appendingPathComponent(relativePath)) {
            file.width = summary.width
            file.height = summary.height
            file.duration = summary.duration
            return file
        }
        var outputProbe = probe
        // Our own outputs include WAV, which inputs may not be.
        if !outputProbe.configuration.allowedDemuxers.contains("wav") { outputProbe.configuration.allowedDemuxers.append("wav") }
        let info = try await outputProbe.probe(outputDirectory.appendingPathComponent(relativePath), limits: .unlimited)
        file.width = info.videoStream?.width
        file.height = info.videoStream?.height
        file.duration = info.duration
        return file
    }
}
