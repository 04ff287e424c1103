import Foundation
import Logging
import Metrics
import S3Client
import ServiceLifecycle
import ServiceSupport
import VideoStore

/// Deletes expired videos (``RetentionPolicy``) with every object under their prefixes, every `interval`, on one
/// producer at a time: each round first takes the database lease `retention` for twice the interval; a producer
/// that does not get it skips the round.
public struct RetentionSweeper: Service, Sendable {
    let store: any VideoStore
    let s3: S3Client
    let bucket: String
    let policy: RetentionPolicy
    let interval: Duration
    let holder: String
    let logger: Logger

    /// The lease's name in the store.
    static let leaseName = "retention"
    /// Videos read per query.
    static let batch = 100

    public init(
        store: any VideoStore, s3: S3Client, bucket: String, policy: RetentionPolicy, interval: Duration, logger: Logger,
        holder: String = UUID().uuidString
    ) {
        self.store = store
        self.s3 = s3
        self.bucket = bucket
        self.policy = policy
        self.interval = interval
        self.holder = holder
        self.logger = logger
    }

    public func run() async throws {
        guard !policy.sweeps(now: Date()).isEmpty else {
            // Everything is kept for ever: nothing to do until the group stops (returning would stop the group).
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let deleted = try await sweep()
                if deleted > 0 { logger.info("expired videos deleted", metadata: ["count": "\(deleted)"]) }
            } catch {
                logger.warning("retention sweep failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One round, if this producer gets the lease; returns how many videos it deleted (`nil`-free: 0 without the lease).
    @discardableResult
    public func sweep(now: Date = Date()) async throws -> Int {
        guard try await store.acquireLease(name: Self.leaseName, holder: holder, until: now.addingTimeInterval(interval.seconds * 2), now: now) else {
            return 0
        }
        var deleted = 0
        for sweep in policy.sweeps(now: now) {
            var failed = Set<UUID>()
            while true {
                let expired = try await store.finishedVideos(before: sweep.cutoff, owners: sweep.owners, excluding: sweep.excluded, limit: Self.batch)
                    .filter { !failed.contains($0.id) }
                guard !expired.isEmpty else { break }
                for record in expired {
                    do {
                        if try await VideoDeletion.delete(record, owner: nil, store: store, s3: s3, bucket: bucket) { deleted += 1 }
                    } catch {
                        failed.insert(record.id)
                        logger.warning("cannot delete an expired video", metadata: ["video_id": "\(record.id)", "error": "\(error)"])
                    }
                }
                if expired.count < Self.batch { break }
            }
        }
        if deleted > 0 { Counter(label: "videoqueue_producer_videos_expired_total").increment(by: deleted) }
        return deleted
    }
}
