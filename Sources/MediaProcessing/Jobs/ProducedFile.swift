import Foundation

/// One file a job wrote in its output directory.
///
/// Names are deterministic (`transcode/720p.mp4`, `hls/720p/segment_000.ts`…), so running a job again
/// overwrites its earlier outputs instead of adding to them.
public struct ProducedFile: Sendable, Equatable, Codable {
    /// What a file is, as `job/what`: `transcode/720p`, `hls/master`, `thumbnails/sprite`…
    public struct Kind: Sendable, Hashable, Codable, RawRepresentable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
        public var description: String { rawValue }

        /// An MP4 rendition of the `transcode` job, e.g. `transcode/720p`.
        public static func transcode(_ rendition: String) -> Kind { Kind(rawValue: "transcode/\(rendition)") }
        /// The HLS master playlist.
        public static let hlsMaster: Kind = "hls/master"
        /// One rendition's HLS playlist, e.g. `hls/720p/playlist`.
        public static func hlsPlaylist(_ rendition: String) -> Kind { Kind(rawValue: "hls/\(rendition)/playlist") }
        /// An HLS media segment.
        public static let hlsSegment: Kind = "hls/segment"
        /// An fMP4 rendition's initialization segment (`init.mp4`: HEVC and AV1).
        public static let hlsInitialization: Kind = "hls/init"
        /// The poster frame.
        public static let thumbnailPoster: Kind = "thumbnails/poster"
        /// The sprite sheet of evenly spaced frames.
        public static let thumbnailSprite: Kind = "thumbnails/sprite"
        /// One of the evenly spaced frames.
        public static let thumbnailFrame: Kind = "thumbnails/frame"
        /// The scene-cut report (JSON).
        public static let cutAnalysisJSON: Kind = "cut_analysis/json"
        /// One clip between two cuts.
        public static let cutAnalysisClip: Kind = "cut_analysis/clip"
        /// The 16 kHz mono WAV.
        public static let audioWAV: Kind = "audio/wav"
        /// Captions as WebVTT.
        public static let captionsWebVTT: Kind = "transcribe/vtt"
        /// Captions as SubRip.
        public static let captionsSubRip: Kind = "transcribe/srt"
        /// The transcript as JSON (segments with start, end and text; the language).
        public static let transcriptJSON: Kind = "transcribe/json"
        /// The HLS subtitles playlist.
        public static let hlsSubtitlesPlaylist: Kind = "hls/subtitles/playlist"
        /// The HLS subtitles (WebVTT, one segment).
        public static let hlsSubtitles: Kind = "hls/subtitles"
    }

    /// What the file is.
    public var kind: Kind
    /// Its path relative to the job's output directory, with `/` separators.
    public var relativePath: String
    /// Its MIME type.
    public var contentType: String
    /// Its size in bytes.
    public var size: Int64
    /// The picture width, for video and images.
    public var width: Int?
    /// The picture height, for video and images.
    public var height: Int?
    /// The duration in seconds, for video and audio.
    public var duration: Double?

    public init(
        kind: Kind, relativePath: String, contentType: String, size: Int64, width: Int? = nil, height: Int? = nil,
        duration: Double? = nil
    ) {
        self.kind = kind
        self.relativePath = relativePath
        self.contentType = contentType
        self.size = size
        self.width = width
        self.height = height
        self.duration = duration
    }

    /// The file's location inside `directory`.
    public func url(in directory: URL) -> URL {
        directory.appendingPathComponent(relativePath)
    }
}
