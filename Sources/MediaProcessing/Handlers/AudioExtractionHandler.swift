import Foundation

/// `audio`: the first audio stream as 16 kHz mono 16-bit PCM WAV (what speech recognisers want).
/// Writes `audio/audio.wav`; a source without audio is `MediaError.noAudioStream` (permanent).
public struct AudioExtractionHandler: MediaJobHandler {
    public var name: String { "audio" }
    /// The output sample rate in Hz.
    public var sampleRate: Int

    public init(sampleRate: Int = 16_000) {
        self.sampleRate = sampleRate
    }

    public func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        guard let audio = job.audioSpecifier else {
            throw MediaError(code: .noAudioStream, message: "\(job.input.lastPathComponent) has no audio stream")
        }
        _ = try job.freshDirectory(name)
        let path = "\(name)/audio.wav"
        let result = try await Self.extract(audio, of: job, to: path, sampleRate: sampleRate)
        let file = try await job.probedFile(.audioWAV, at: path, contentType: "audio/wav")
        try job.ensureComplete(
            outputDuration: file.duration, expected: job.info.audioStream?.duration ?? job.info.duration, output: path, stderrTail: result.stderrTail)
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return [file]
    }

    /// Writes the stream `audio` of the job's input as mono 16-bit PCM WAV at `sampleRate` to `path` (relative to the
    /// output directory), reporting progress over `range`.
    static func extract(
        _ audio: String, of job: MediaJobContext, to path: String, sampleRate: Int, covering range: ClosedRange<Double> = 0...100
    ) async throws -> FFmpegResult {
        let output =
            [
                "-map", audio, "-vn", "-sn", "-dn", "-ac", "1", "-ar", String(sampleRate), "-c:a", "pcm_s16le",
            ] + EncoderArguments.stripMetadata + job.outputSizeArguments(count: 1) + ["-f", "wav", path]
        let invocation = FFmpegInvocation(
            inputs: [job.cappedInput()], outputArguments: output, expectedDuration: job.info.audioStream?.duration ?? job.info.duration,
            workingDirectory: job.outputDirectory)
        return try await job.runner.run(invocation, progress: job.ffmpegProgress(covering: range))
    }
}
