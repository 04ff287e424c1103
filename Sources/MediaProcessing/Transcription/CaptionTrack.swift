import Foundation

/// Captions a `transcribe` step wrote, for the steps after it: `transcode` adds them to its MP4s as a `mov_text`
/// track, `hls` to its master playlist as a `SUBTITLES` group.
public struct CaptionTrack: Sendable, Equatable {
    /// The spoken language (ISO 639-1).
    public var language: String
    /// The transcript (for WebVTT with an HLS timestamp map).
    public var transcript: Transcript
    /// The SubRip file, relative to the output directory.
    public var subRipPath: String

    public init(language: String, transcript: Transcript, subRipPath: String) {
        self.language = language
        self.transcript = transcript
        self.subRipPath = subRipPath
    }

    /// The extra FFmpeg input that carries the captions (SubRip, whitelisted on its own).
    func input(in directory: URL) -> FFmpegInvocation.Input {
        FFmpegInvocation.Input(url: directory.appendingPathComponent(subRipPath), options: ["-format_whitelist", "srt", "-f", "srt"])
    }

    /// The output arguments that add input `index`'s captions to an MP4 as a `mov_text` track in `language`.
    func movTextArguments(input index: Int) -> [String] {
        ["-map", "\(index):s:0", "-c:s", "mov_text", "-metadata:s:s:0", "language=\(CaptionFormat.iso639_2(language))"]
    }
}
