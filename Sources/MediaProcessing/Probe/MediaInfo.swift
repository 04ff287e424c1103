/// What ffprobe found in a media file.
public struct MediaInfo: Sendable, Equatable, Codable {
    /// The demuxer's name, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`.
    public var formatName: String
    /// The duration in seconds, when the container declares one.
    public var duration: Double?
    /// The file size in bytes, when known.
    public var size: Int64?
    /// The overall bit rate in bits per second, when known.
    public var bitRate: Int64?
    /// Every stream, in container order.
    public var streams: [MediaStreamInfo]

    public init(formatName: String, duration: Double?, size: Int64?, bitRate: Int64?, streams: [MediaStreamInfo]) {
        self.formatName = formatName
        self.duration = duration
        self.size = size
        self.bitRate = bitRate
        self.streams = streams
    }

    /// The first video stream (attached pictures such as cover art excluded).
    public var videoStream: MediaStreamInfo? {
        streams.first { $0.type == .video && !$0.isAttachedPicture }
    }

    /// The first audio stream.
    public var audioStream: MediaStreamInfo? {
        streams.first { $0.type == .audio }
    }

    /// Whether the file has an audio stream.
    public var hasAudio: Bool { audioStream != nil }
}
