/// One stream of a media file, as ffprobe describes it.
public struct MediaStreamInfo: Sendable, Equatable, Codable {
    /// The kind of a stream.
    public enum StreamType: String, Sendable, Codable {
        case video, audio, subtitle, data, attachment, unknown
    }

    /// The stream's index in the container.
    public var index: Int
    /// Video, audio, subtitle…
    public var type: StreamType
    /// The codec's short name, e.g. `h264`, `aac`.
    public var codec: String?
    /// The coded width in pixels (video).
    public var width: Int?
    /// The coded height in pixels (video).
    public var height: Int?
    /// The frame rate in frames per second (video), from `avg_frame_rate` or `r_frame_rate`.
    public var frameRate: Double?
    /// The pixel format, e.g. `yuv420p` (video).
    public var pixelFormat: String?
    /// The number of audio channels (audio).
    public var channels: Int?
    /// The audio sample rate in Hz (audio).
    public var sampleRate: Int?
    /// The stream's duration in seconds, when declared.
    public var duration: Double?
    /// The stream's bit rate in bits per second, when declared.
    public var bitRate: Int64?
    /// The display rotation in degrees (0, 90, 180, 270), from the display matrix or the `rotate` tag.
    public var rotation: Int
    /// Whether the stream is an attached picture (cover art) rather than a video.
    public var isAttachedPicture: Bool

    public init(
        index: Int, type: StreamType, codec: String? = nil, width: Int? = nil, height: Int? = nil,
        frameRate: Double? = nil, pixelFormat: String? = nil, channels: Int? = nil, sampleRate: Int? = nil,
        duration: Double? = nil, bitRate: Int64? = nil, rotation: Int = 0, isAttachedPicture: Bool = false
    ) {
        self.index = index
        self.type = type
        self.codec = codec
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.pixelFormat = pixelFormat
        self.channels = channels
        self.sampleRate = sampleRate
        self.duration = duration
        self.bitRate = bitRate
        self.rotation = rotation
        self.isAttachedPicture = isAttachedPicture
    }

    /// The width as displayed, after rotation (FFmpeg rotates automatically when it decodes).
    public var displayWidth: Int? { rotation % 180 == 0 ? width : height }
    /// The height as displayed, after rotation.
    public var displayHeight: Int? { rotation % 180 == 0 ? height : width }
}
