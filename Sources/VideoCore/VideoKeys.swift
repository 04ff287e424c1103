import Foundation

/// Where a video's objects live in the bucket. The keys are ours (never a client's file name): the producer
/// writes the source there, the consumer its outputs, and deletion and the orphan sweeper find them by prefix.
public enum VideoKeys {
    /// `sources/{id}/source`: the checked source, the only object the consumer reads.
    public static func source(_ id: UUID) -> String { "sources/\(id.uuidString.lowercased())/source" }
    /// `uploads/{id}/staging`: where a direct upload's presigned URLs write, before the check and the copy.
    public static func staging(_ id: UUID) -> String { "uploads/\(id.uuidString.lowercased())/staging" }
    /// `outputs/{id}/`: every output of the video (`outputs/{id}/transcode/720p.mp4`, …).
    public static func outputPrefix(_ id: UUID) -> String { "outputs/\(id.uuidString.lowercased())/" }
}
