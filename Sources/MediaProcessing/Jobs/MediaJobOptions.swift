import VideoCore

/// The knobs of the standard job handlers; the defaults suit a web video service.
public struct MediaJobOptions: Sendable, Equatable {
    /// The video codec of `transcode` and `hls` (H.264 in MPEG-TS segments; HEVC and AV1 in fMP4 segments).
    public var codec: VideoCodec
    /// One thumbnail every this many seconds instead of ``thumbnailCount`` (as many as fit, at most 100).
    public var thumbnailInterval: Double?
    /// The rendition heights of `transcode` and `hls` (the short side, for portrait video). Only those at
    /// or below the source's are made; a source below all of them gets one rendition at its own size.
    public var renditionHeights: [Int]
    /// The encoder's speed preset as x264 names it (`ultrafast` … `veryslow`; x265 takes the same names, SVT-AV1
    /// the matching number).
    public var x264Preset: String
    /// The x264 constant rate factor; the bit rate is further capped per rendition.
    public var crf: Int
    /// The AAC bit rate in bits per second.
    public var audioBitRate: Int
    /// The target HLS segment duration in seconds.
    public var hlsSegmentDuration: Double
    /// How many evenly spaced frames `thumbnails` takes (the sprite's tiles and the frame files).
    public var thumbnailCount: Int
    /// The sprite sheet's columns.
    public var spriteColumns: Int
    /// The width of a sprite tile / frame file in pixels.
    public var thumbnailWidth: Int
    /// Whether `thumbnails` also writes each frame as a file.
    public var writeThumbnailFrames: Bool
    /// The longest side of the poster frame, in pixels.
    public var posterMaximumSize: Int
    /// The scene score (0…1) above which `cut_analysis` sees a cut.
    public var sceneThreshold: Double
    /// Cuts closer than this (seconds) to the previous cut or to either end are dropped.
    public var minimumClipDuration: Double
    /// At most this many clips (the strongest cuts are kept).
    public var maximumClips: Int
    /// The clips' maximum height (short side); larger sources are scaled down.
    public var clipMaximumHeight: Int
    /// Whether `cut_analysis` writes one MP4 per clip besides the JSON report.
    public var writeClips: Bool
    /// The language `transcribe` expects (ISO 639-1, e.g. `en`); `nil`: detected.
    public var transcriptionLanguage: String?

    public init(
        renditionHeights: [Int] = [1080, 720, 480],
        x264Preset: String = "veryfast",
        crf: Int = 23,
        audioBitRate: Int = 128_000,
        hlsSegmentDuration: Double = 4,
        thumbnailCount: Int = 10,
        spriteColumns: Int = 5,
        thumbnailWidth: Int = 160,
        writeThumbnailFrames: Bool = true,
        posterMaximumSize: Int = 1280,
        sceneThreshold: Double = 0.3,
        minimumClipDuration: Double = 0.5,
        maximumClips: Int = 200,
        clipMaximumHeight: Int = 720,
        writeClips: Bool = true,
        transcriptionLanguage: String? = nil,
        codec: VideoCodec = .h264,
        thumbnailInterval: Double? = nil
    ) {
        self.codec = codec
        self.thumbnailInterval = thumbnailInterval
        self.transcriptionLanguage = transcriptionLanguage
        self.renditionHeights = renditionHeights
        self.x264Preset = x264Preset
        self.crf = crf
        self.audioBitRate = audioBitRate
        self.hlsSegmentDuration = hlsSegmentDuration
        self.thumbnailCount = thumbnailCount
        self.spriteColumns = spriteColumns
        self.thumbnailWidth = thumbnailWidth
        self.writeThumbnailFrames = writeThumbnailFrames
        self.posterMaximumSize = posterMaximumSize
        self.sceneThreshold = sceneThreshold
        self.minimumClipDuration = minimumClipDuration
        self.maximumClips = maximumClips
        self.clipMaximumHeight = clipMaximumHeight
        self.writeClips = writeClips
    }
}
