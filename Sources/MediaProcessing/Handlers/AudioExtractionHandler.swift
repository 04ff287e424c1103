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
        let output = [
            "-map", audio, "-vn", "-sn", "-dn", "-ac", "1", "-ar", String(sampleRate), "-c:a", "pcm_s16le",
        ] + EncoderArguments.stripMetadata + job.outputSizeArguments(count: 1) + ["-f", "wav", path]
        let invocation = FFmpegInvocation(
            inputs: [job.cappedInput()], outputArguments: output, expectedDuration: job.info.audioStream?.duration ?? job.info.duration,
            workingDirectory: job.outputDirectory)
        let result = try await job.runner.run(invocation, progress: job.ffmpegProgress())
        let file = try await job.probedFile(.audioWAV, at: path, contentType: "audio/wav")
        try job.ensureComplete(
            outputDuration: file.duration, expected: job.info.audioStream?.duration ?? job.info.duration, output: path, stderrTail: result.stderrTail)
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return [file]
    }
}
