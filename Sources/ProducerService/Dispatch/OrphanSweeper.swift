import Foundation
import Logging
import Metrics
import S3Client
import ServiceLifecycle
import VideoStore

/// Deletes what a crash or an abandoned direct upload left in S3: multipart uploads under `sources/` started
/// longer than ``ProducerConfiguration/orphanAge`` ago, and objects under `sources/{id}/` that old whose
/// video has no record. Sources of recorded videos are never touched.
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
        let cutoff = now.addingTimeInterval(-(Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18))
        var removed = 0
        for upload in try await s3.listMultipartUploads(bucket: bucket, prefix: "sources/") {
            guard let initiated = upload.initiated, initiated < cutoff else { continue }
            try await s3.abortMultipartUpload(bucket: bucket, key: upload.key, uploadID: upload.uploadID)
            removed += 1
        }
        var orphans: [String] = []
        for try await object in s3.listObjects(bucket: bucket, prefix: "sources/") {
            guard let modified = object.lastModified, modified < cutoff else { continue }
            let parts = object.key.split(separator: "/")
            guard parts.count >= 2, let id = UUID(uuidString: String(parts[1])) else { continue }
            if try await store.video(id: id, owner: nil) == nil { orphans.append(object.key) }
        }
        if !orphans.isEmpty {
            let result = try await s3.deleteObjects(bucket: bucket, keys: orphans)
            removed += result.deleted.count
        }
        Counter(label: "videoqueue_producer_orphans_removed_total").increment(by: removed)
        return removed
    }
}
