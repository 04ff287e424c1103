import Foundation
import Logging
import Metrics
import S3Client
import ServiceLifecycle
import ServiceSupport
import VideoStore

/// Deletes what a crash, an abandoned direct upload or a deleted video left in S3, once it is older than
/// ``ProducerConfiguration/orphanAge``: multipart uploads under `sources/` and `uploads/`, staging objects under
/// `uploads/` (a completed upload's is deleted at once), and objects under `sources/{id}/` and `outputs/{id}/`
/// whose video has no record. Objects of recorded videos are never touched.
public struct OrphanSweeper: Service, Sendable {
    let store: any VideoStore
    let s3: S3Client
    let bucket: String
    let age: Duration
    let interval: Duration
    let logger: Logger

    public init(store: any VideoStore, s3: S3Client, bucket: String, age: Duration, interval: Duration, logger: Logger) {
        self.store = store
        self.s3 = s3
        self.bucket = bucket
        self.age = age
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let removed = try await sweep()
                if removed > 0 { logger.info("orphaned uploads removed", metadata: ["count": "\(removed)"]) }
            } catch {
                logger.warning("orphan sweep failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass; returns how many uploads and objects it removed.
    @discardableResult
    public func sweep(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-age.seconds)
        var removed = 0
        for prefix in ["sources/", "uploads/"] {
            for upload in try await s3.listMultipartUploads(bucket: bucket, prefix: prefix) {
                guard let initiated = upload.initiated, initiated < cutoff else { continue }
                try await s3.abortMultipartUpload(bucket: bucket, key: upload.key, uploadID: upload.uploadID)
                removed += 1
            }
        }
        var recorded: [UUID: Bool] = [:]
        for prefix in ["sources/", "outputs/", "uploads/"] {
            var orphans: [String] = []
            for try await object in s3.listObjects(bucket: bucket, prefix: prefix) {
                guard let modified = object.lastModified, modified < cutoff else { continue }
                let parts = object.key.split(separator: "/")
                guard parts.count >= 2, let id = UUID(uuidString: String(parts[1])) else { continue }
                if prefix == "uploads/" {
                    orphans.append(object.key)  // staging: never needed once this old
                    continue
                }
                if recorded[id] == nil { recorded[id] = try await store.video(id: id, owner: nil) != nil }
                if recorded[id] == false { orphans.append(object.key) }
            }
            if !orphans.isEmpty {
                let result = try await s3.deleteObjects(bucket: bucket, keys: orphans)
                removed += result.deleted.count
            }
        }
        Counter(label: "videoqueue_producer_orphans_removed_total").increment(by: removed)
        return removed
    }
}
