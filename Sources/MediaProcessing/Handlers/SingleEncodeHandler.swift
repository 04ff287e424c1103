import Foundation

/// `transcode` with `hls` and/or `thumbnails` from one decode and one encode. The per-job handlers each run a full
/// ladder of the same renditions (and the thumbnails decode around eleven seek points); this runs it once: each
/// rendition is encoded into its MP4 (`+faststart`, keyframes forced on the HLS segment boundaries, so the MP4 is
/// also cut-ready), the thumbnails are picked out of the same decoded frames, then the HLS segments are cut from
/// the MP4s without re-encoding (`-c copy`, one FFmpeg run for the ladder). Writes what the handlers write, under
/// the same names.
///
/// The pipeline runs it in place of them when ``MediaJobPipeline/encodesOnce`` is on (see ``MediaJobPlan``).
public struct SingleEncodeHandler: MediaJobHandler {
    /// The jobs it can stand for, in the order of its ``run(_:)`` result; `transcode` is always one of them.
    public static let candidates = ["transcode", "hls", "thumbnails"]

    /// The jobs this run stands for: `transcode` and at least one other of ``candidates``.
    public var jobs: [String]

    public var name: String { jobs.joined(separator: "+") }

    public init(jobs: [String] = SingleEncodeHandler.candidates) {
        self.jobs = Self.candidates.filter(jobs.contains)
    }

    /// The encode's share of the progress; the packaging (a copy) is the rest.
    static let encodeShare = 90.0

    public func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        let video = try job.requireVideo()
        let renditions = Rendition.ladder(
            sourceWidth: video.displayWidth ?? 0, sourceHeight: video.displayHeight ?? 0, heights: job.options.renditionHeights)
        let segment = job.options.hlsSegmentDuration
        guard !renditions.isEmpty, segment > 0 else {
            throw MediaError(code: .invalidOptions, message: "no rendition can be made from \(video.width ?? 0)×\(video.height ?? 0)")
        }
        let withHLS = jobs.contains("hls")
        let thumbnails = jobs.contains("thumbnails") ? try ThumbnailsHandler.layout(job, video: video) : nil
        _ = try job.freshDirectory("transcode")
        let hlsRoot = withHLS ? try job.freshDirectory("hls") : nil
        if thumbnails != nil { _ = try job.freshDirectory("thumbnails") }

        // 1. The encode: the transcode handler's outputs (with keyframes on the segment boundaries when HLS follows),
        //    and the thumbnails from the same decoded frames.
        var graph = EncoderArguments.scaleGraph(renditions, video: job.videoSpecifier(video))
        if let thumbnails {
            graph =
                "[\(job.videoSpecifier(video))]split=3[encode][poster_in][frames_in];"
                + EncoderArguments.scaleGraph(renditions, video: "encode") + ";"
                + thumbnails.selectionGraph(posterInput: "poster_in", framesInput: "frames_in")
        }
        let sizeCap = job.outputSizeArguments(count: renditions.count * 2 + (thumbnails == nil ? 0 : 3))
        let mp4s = TranscodeHandler.encodeArguments(
            renditions, of: job, keyframeInterval: withHLS ? segment : nil, frameRate: video.frameRate, sizeCap: sizeCap)
        var encode = ["-filter_complex", graph] + mp4s.outputs
        if let thumbnails { encode += thumbnails.outputArguments }
        let encoded = try await job.runner.run(
            FFmpegInvocation(
                inputs: mp4s.inputs, outputArguments: encode, expectedDuration: job.effectiveDuration,
                workingDirectory: job.outputDirectory),
            progress: job.ffmpegProgress(covering: 0...(withHLS ? Self.encodeShare : 99)))
        var files = try await TranscodeHandler.describe(renditions, of: job, stderrTail: encoded.stderrTail)
        if let thumbnails { files += try ThumbnailsHandler.describe(thumbnails, of: job) }
        guard let hlsRoot else {
            await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
            return files
        }

        // 2. The packaging: every MP4 (our own output, checked above) cut into segments, copied.
        var inputs: [FFmpegInvocation.Input] = []
        var package: [String] = []
        for (index, rendition) in renditions.enumerated() {
            try HLSHandler.createDirectory(for: rendition, under: hlsRoot)
            let mp4 = job.outputDirectory.appendingPathComponent("transcode/\(rendition.name).mp4")
            inputs.append(FFmpegInvocation.Input(url: mp4, options: job.durationCap.map { ["-t", String(format: "%.3f", $0)] } ?? []))
            package += ["-map", "\(index):v:0"]
            if job.info.hasAudio { package += ["-map", "\(index):a:0"] }
            package += ["-c", "copy"] + sizeCap + HLSHandler.muxerArguments(for: rendition, segmentDuration: segment, codec: job.options.codec)
        }
        // The HLS muxer ignores `-fs`: the directory is watched instead.
        let packaged = try await job.runner.run(
            FFmpegInvocation(
                inputs: inputs, outputArguments: package, expectedDuration: job.effectiveDuration, workingDirectory: job.outputDirectory,
                outputLimit: job.outputLimit(for: "hls")),
            progress: job.ffmpegProgress(covering: Self.encodeShare...100))
        files += try await HLSHandler.describe(renditions, of: job, stderrTail: packaged.stderrTail)
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return files
    }
}
