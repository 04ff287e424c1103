import Foundation
import Testing

@testable import VideoCore

enum Fixtures {
    static func record(title: String = "Holiday 🎬", jobs: [JobType] = [.transcode, .thumbnails]) -> VideoRecord {
        VideoRecord(
            id: UUID(), owner: "alice", title: title, originalFilename: "holiday.mov", sourceBucket: "videos",
            sourceKey: "uploads/alice/holiday.mov", size: 12_345_678, sha256: String(repeating: "ab", count: 32),
            contentType: "video/quicktime", jobs: jobs, status: .processing, stage: .encoding, progress: 42.5,
            etaSeconds: 12.25, attempts: 2,
            error: VideoFailure(code: "ffmpeg_failed", message: "FFmpeg exited with 1", detail: "tail\nof stderr"),
            outputs: [
                VideoOutput(
                    kind: "mp4", key: "outputs/x/720p.mp4", size: 1000, contentType: "video/mp4",
                    width: 1280, height: 720, duration: 61.5)
            ],
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123), queuedAt: Date(timeIntervalSince1970: 1_700_000_001.5),
            startedAt: Date(timeIntervalSince1970: 1_700_000_002), finishedAt: nil,
            updatedAt: Date(timeIntervalSince1970: 1_700_000_003.999))
    }

    /// The message JSON as a mutable dictionary.
    static func json(_ record: VideoRecord) throws -> [String: Any] {
        let data = try QueueMessage(video: record).encoded()
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func data(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }
}
