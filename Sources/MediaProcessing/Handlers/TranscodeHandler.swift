import Foundation

/// `transcode`: H.264/AAC MP4 renditions (1080p, 720p, 480p by default; never upscaled) in one FFmpeg
/// run (the decoded video is split and scaled once per rendition), `+faststart` for progressive playback.
/// Writes `transcode/<name>.mp4`.
public struct TranscodeHandler: MediaJobHandler {
    public var name: String { "transcode" }

    public init() {}

    public func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        let video = try job.requireVideo()
        let renditions = Rendition.ladder(
            sourceWidth: video.displayWidth ?? 0, sourceHeight: video.displayHeight ?? 0, heights: job.options.renditionHeights)
        guard !renditions.isEmpty else {
            throw MediaError(code: .invalidOptions, message: "no rendition can be made from \(video.width ?? 0)×\(video.height ?? 0)")
        }
        _ = try job.freshDirectory(name)
        let encode = Self.encodeArguments(
            renditions, of: job, keyframeInterval: nil, frameRate: video.frameRate,
            sizeCap: job.outputSizeArguments(count: renditions.count))
        let output = ["-filter_complex", EncoderArguments.scaleGraph(renditions, video: job.videoSpecifier(video))] + encode.outputs
        let invocation = FFmpegInvocation(
            inputs: encode.inputs, outputArguments: output, expectedDuration: job.effectiveDuration,
            workingDirectory: job.outputDirectory)
        let result = try await job.runner.run(invocation, progress: job.ffmpegProgress())
        let files = try await Self.describe(renditions, of: job, stderrTail: result.stderrTail)
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return files
    }

    /// The inputs (the job's, then its captions when an earlier `transcribe` wrote some) and the MP4 outputs of an
    /// encode of `renditions` from a scale graph's `[v0]`, `[v1]`… — each with the audio, the captions as a `mov_text`
    /// track, and keyframes every `keyframeInterval` seconds when given (where HLS segments are cut later).
    static func encodeArguments(
        _ renditions: [Rendition], of job: MediaJobContext, keyframeInterval: Double?, frameRate: Double?, sizeCap: [String]
    ) -> (inputs: [FFmpegInvocation.Input], outputs: [String]) {
        var inputs = [job.cappedInput()]
        if let captions = job.captions { inputs.append(captions.input(in: job.outputDirectory)) }
        var output: [String] = []
        for (index, rendition) in renditions.enumerated() {
            output += ["-map", "[v\(index)]"]
            if let audio = job.audioSpecifier { output += ["-map", audio] }
            if let captions = job.captions { output += captions.movTextArguments(input: 1) }
            output += EncoderArguments.video(options: job.options, maximumBitRate: rendition.maximumVideoBitRate)
            if let keyframeInterval { output += EncoderArguments.keyframes(every: keyframeInterval, options: job.options, frameRate: frameRate) }
            if job.info.hasAudio { output += EncoderArguments.audio(options: job.options, source: job.info.audioStream) }
            output += EncoderArguments.stripMetadata + job.runner.outputThreadArguments + sizeCap
            output += ["-movflags", "+faststart", "-f", "mp4", "transcode/\(rendition.name).mp4"]
        }
        return (inputs, output)
    }

    /// Describes the MP4 renditions FFmpeg wrote (each probed and checked complete).
    static func describe(_ renditions: [Rendition], of job: MediaJobContext, stderrTail: [String]) async throws -> [ProducedFile] {
        var files: [ProducedFile] = []
        for rendition in renditions {
            let path = "transcode/\(rendition.name).mp4"
            let file = try await job.probedFile(.transcode(rendition.name), at: path, contentType: "video/mp4")
            try job.ensureComplete(outputDuration: file.duration, expected: job.effectiveDuration, output: path, stderrTail: stderrTail)
            files.append(file)
        }
        return files
    }
}
