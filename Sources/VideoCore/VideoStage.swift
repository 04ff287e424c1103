/// What a processing video is doing right now.
public enum VideoStage: String, Codable, Sendable, CaseIterable {
    /// Fetching the source from S3.
    case downloading
    /// Reading the source's streams with FFprobe.
    case probing
    /// Running FFmpeg.
    case encoding
    /// Storing the outputs in S3.
    case uploading
}
