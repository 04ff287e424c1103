import Foundation

/// `transcribe`: speech to text with Whisper running locally (``WhisperTranscriber``). FFmpeg writes the audio as
/// 16 kHz mono WAV (so the recogniser never parses the upload), the recogniser transcribes it, and the transcript
/// becomes `transcribe/captions.vtt` (WebVTT), `transcribe/captions.srt` (SubRip) and `transcribe/transcript.json`
/// (segments with start, end and text; the language). A source without audio is `MediaError.noAudioStream`
/// (permanent). When `transcode` or `hls` runs after it, they carry the captions (``CaptionTrack``).
public struct TranscribeHandler: MediaJobHandler {
    public var name: String { "transcribe" }

    public init() {}

    /// The share of the progress the audio extraction takes; the recogniser has the rest.
    static let extractionShare = 10.0

    public func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        try await transcribe(job).files
    }

    /// Runs the job; also returns the captions for the steps after it.
    func transcribe(_ job: MediaJobContext) async throws -> (files: [ProducedFile], captions: CaptionTrack) {
        guard let audio = job.audioSpecifier else {
            throw MediaError(code: .noAudioStream, message: "\(job.input.lastPathComponent) has no audio stream to transcribe")
        }
        let directory = try job.freshDirectory(name)
        let speech = "\(name)/.speech.wav"
        defer { try? FileManager.default.removeItem(at: job.outputDirectory.appendingPathComponent(speech)) }
        _ = try await AudioExtractionHandler.extract(audio, of: job, to: speech, sampleRate: 16_000, covering: 0...Self.extractionShare)
        let transcript = try await job.transcriber.transcribe(
            audio: job.outputDirectory.appendingPathComponent(speech), in: directory, language: job.options.transcriptionLanguage
        ) { percent in
            await job.report(MediaProgress(percent: Self.extractionShare + (99 - Self.extractionShare) * percent / 100))
        }

        let documents: [(ProducedFile.Kind, String, String, Data)] = [
            (.captionsWebVTT, "\(name)/captions.vtt", "text/vtt", Data(CaptionFormat.webVTT(transcript).utf8)),
            (.captionsSubRip, "\(name)/captions.srt", "application/x-subrip", Data(CaptionFormat.subRip(transcript).utf8)),
            (.transcriptJSON, "\(name)/transcript.json", "application/json", try Self.json(transcript)),
        ]
        var files: [ProducedFile] = []
        for (kind, path, contentType, data) in documents {
            do {
                try data.write(to: job.outputDirectory.appendingPathComponent(path), options: .atomic)
            } catch {
                throw MediaError(code: .outputFailed, message: "cannot write \(path): \(error)")
            }
            files.append(try job.producedFile(kind, at: path, contentType: contentType, duration: transcript.duration))
        }
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return (files, CaptionTrack(language: transcript.language, transcript: transcript, subRipPath: "\(name)/captions.srt"))
    }

    static func json(_ transcript: Transcript) throws(MediaError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(transcript)
        } catch {
            throw MediaError(code: .outputFailed, message: "cannot encode the transcript: \(error)")
        }
    }
}
