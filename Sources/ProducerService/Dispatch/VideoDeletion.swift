import S3Client
import VideoCore
import VideoStore

/// Deletes a finished video: every object under its output prefix (not only the recorded ones: an attempt that was
/// fenced out or cancelled may have uploaded some) and its source, then its record. Nothing is deleted from the
/// store unless every object went: a video is never left recorded without its files' owner knowing.
enum VideoDeletion {
    /// - Returns: whether the record was deleted (`false`: it was gone already).
    /// - Throws: `APIError.unavailable` when some objects could not be deleted (the video is kept).
    static func delete(_ record: VideoRecord, owner: String?, store: any VideoStore, s3: S3Client, bucket: String) async throws -> Bool {
        let prefix = VideoKeys.outputPrefix(record.id)
        let stored = try await s3.listObjects(bucket: bucket, prefix: prefix).collect().map(\.key)
        let keys = Array(Set([record.sourceKey] + record.outputs.map(\.key) + stored))
        let result = try await s3.deleteObjects(bucket: record.sourceBucket, keys: keys)
        guard result.allSucceeded else {
            throw APIError.unavailable("could not delete \(result.failed.count) stored object(s); the video was kept")
        }
        return try await store.delete(id: record.id, owner: owner)
    }
}
