/// One object a job produced in S3.
public struct VideoOutput: Codable, Sendable, Equatable {
    /// What the object is, like `mp4`, `hls_playlist`, `hls_segment`, `thumbnail`, `audio`, `cuts`.
    public var kind: String
    /// The S3 key.
    public var key: String
    /// The object's size in bytes.
    public var size: Int64
    /// The object's MIME type.
    public var contentType: String
    /// The picture width in pixels, for video and images.
    public var width: Int?
    /// The picture height in pixels, for video and images.
    public var height: Int?
    /// The duration in seconds, for video and audio.
    public var duration: Double?

    public init(
        kind: String, key: String, size: Int64, contentType: String,
        width: Int? = nil, height: Int? = nil, duration: Double? = nil
    ) {
        self.kind = kind
        self.key = key
        self.size = size
        self.contentType = contentType
        self.width = width
        self.height = height
        self.duration = duration
    }
}
