import Foundation

/// `transcode` and `hls` from one encode. The per-job handlers each run a full H.264 ladder of the same
/// renditions; this runs it once: each rendition is encoded into its MP4 (`+faststart`, keyframes forced on the
/// HLS segment boundaries, so the MP4 is also cut-ready), then the HLS segments are cut from those MP4s without
/// re-encoding (`-c copy`, one FFmpeg run for the ladder). Writes what both handlers write, under the same names.
///
/// The pipeline runs it in place of the two when both are requested and ``MediaJobPipeline/encodesOnce`` is on
/// (see ``MediaJobPlan``).
public struct SingleEncodeHandler: MediaJobHandler {
    /// The jobs it stands for, in this order in its ``run(_:)`` result.
    public static let jobs = ["transcode", "hls"]

    public var name: String { Self.jobs.joined(separator: "+") }

    public init() {}

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
        _ = try job.freshDirectory("transcode")
        let hlsRoot = try job.freshDirectory("hls")

        // 1. The encode: the transcode handler's outputs, with keyframes on the segment boundaries.
        var encode = ["-filter_complex", EncoderArguments.scaleGraph(renditions, video: job.videoSpecifier(video))]
        let sizeCap = job.outputSizeArguments(count: renditions.count * 2)
        var inputs = [job.cappedInput()]
        if let captions = job.captions { inputs.append(captions.input(in: job.outputDirectory)) }
        for (index, rendition) in renditions.enumerated() {
            encode += ["-map", "[v\(index)]"]
            if let audio = job.audioSpecifier { encode += ["-map", audio] }
            if let captions = job.captions { encode += captions.movTextArguments(input: 1) }
            encode += EncoderArguments.video(options: job.options, maximumBitRate: rendition.maximumVideoBitRate)
            encode += EncoderArguments.keyframes(every: segment)
            if job.info.hasAudio { encode += EncoderArguments.audio(options: job.options, source: job.info.audioStream) }
            encode += EncoderArguments.stripMetadata + job.runner.outputThreadArguments + sizeCap
            encode += ["-movflags", "+faststart", "-f", "mp4", "transcode/\(rendition.name).mp4"]
        }
        let encoded = try await job.runner.run(
            FFmpegInvocation(
                inputs: inputs, outputArguments: encode, expectedDuration: job.effectiveDuration,
                workingDirectory: job.outputDirectory),
            progress: job.ffmpegProgress(covering: 0...Self.encodeShare))
        let transcodeFiles = try await TranscodeHandler.describe(renditions, of: job, stderrTail: encoded.stderrTail)

        // 2. The packaging: every MP4 (our own output, checked above) cut into segments, copied.
        inputs = []
        var package: [String] = []
        for (index, rendition) in renditions.enumerated() {
            try HLSHandler.createDirectory(for: rendition, under: hlsRoot)
            inputs.append(FFmpegInvocation.Input(url: job.outputDirectory.appendingPathComponent("transcode/\(rendition.name).mp4")))
            package += ["-map", "\(index):v:0"]
            if job.info.hasAudio { package += ["-map", "\(index):a:0"] }
            package += ["-c", "copy"] + sizeCap + HLSHandler.muxerArguments(for: rendition, segmentDuration: segment)
        }
        let packaged = try await job.runner.run(
            FFmpegInvocation(
                inputs: inputs, outputArguments: package, expectedDuration: job.effectiveDuration, workingDirectory: job.outputDirectory),
            progress: job.ffmpegProgress(covering: Self.encodeShare...100))
        let hlsFiles = try await HLSHandler.describe(renditions, of: job, stderrTail: packaged.stderrTail)
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return transcodeFiles + hlsFiles
    }
}
