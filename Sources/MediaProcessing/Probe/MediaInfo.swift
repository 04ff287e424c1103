/// What ffprobe found in a media file.
public struct MediaInfo: Sendable, Equatable, Codable {
    /// The demuxer's name, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`.
    public var formatName: String
    /// The duration in seconds: the longest the container or any audio or video stream declares (declarations can
    /// lie: outputs are capped at it, see ``MediaJobContext/durationCap``).
    public var duration: Double?
    /// The file size in bytes, when known.
    public var size: Int64?
    /// The overall bit rate in bits per second, when known.
    public var bitRate: Int64?
    /// Every stream, in container order.
    public var streams: [MediaStreamInfo]
    /// The container's first timestamp in seconds (an MPEG-TS segment's is about 1.4 s), when known.
    public var startTime: Double?

    public init(formatName: String, duration: Double?, size: Int64?, bitRate: Int64?, streams: [MediaStreamInfo], startTime: Double? = nil) {
        self.startTime = startTime
        self.formatName = formatName
        self.duration = duration
        self.size = size
        self.bitRate = bitRate
        self.streams = streams
    }

    /// The video stream the jobs process: the first video stream with dimensions that is not an attached picture
    /// (cover art). Handlers map it by its index (``MediaStreamInfo/index``), never as "the first video stream".
    public var videoStream: MediaStreamInfo? {
        let candidates = streams.filter { $0.type == .video && !$0.isAttachedPicture }
        return candidates.first { ($0.width ?? 0) > 0 && ($0.height ?? 0) > 0 } ?? candidates.first
    }

    /// The first audio stream.
    public var audioStream: MediaStreamInfo? {
        streams.first { $0.type == .audio }
    }

    /// Whether the file has an audio stream.
    public var hasAudio: Bool { audioStream != nil }
}
