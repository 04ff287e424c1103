/// Why a video failed: a stable code, a message for people and an optional detail (FFmpeg's stderr tail, …).
public struct VideoFailure: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    /// A stable machine-readable code, like `unknown_job_type` or `ffmpeg_failed`.
    public var code: String
    /// A human-readable message.
    public var message: String
    /// Optional detail, such as the last lines FFmpeg wrote to stderr.
    public var detail: String?

    public init(code: String, message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { "\(code): \(message)" }
}
