import Foundation
import S3Client
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ConsumerService

/// Sources that are not what was recorded, and what a dead consumer leaves behind.
@Suite("Consumer: changed sources, leftovers")
struct HostileSourceTests {
    @Test("a source replaced after it was recorded is not processed: failed as source_changed")
    func aReplacedSourceFailsAsSourceChanged() async throws {
        let harness = try await ConsumerHarness.make(database: .sqlite)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            let id = UUID()
            let key = "sources/\(id.uuidString.lowercased())/source"
            try await harness.s3.upload(file: video, bucket: harness.bucket, key: key, contentType: "video/mp4")
            let size = (try FileManager.default.attributesOfItem(atPath: video)[.size] as? NSNumber)?.int64Value ?? 0
            // The record names another ETag than the object's: the object was replaced after it was checked.
            let info = try await harness.s3.headObject(bucket: harness.bucket, key: key)
            var swapped = VideoRecord(
                id: id, owner: "tests", title: "swapped", originalFilename: "a.mp4", sourceBucket: harness.bucket,
                sourceKey: key, size: size, contentType: "video/mp4", jobs: [.thumbnails],
                sourceETag: info.eTag + "-not-this-one")
            _ = try await harness.store.create(swapped, outboxPayload: try QueueMessage(video: swapped).encodedString())
            swapped = try #require(try await harness.store.markQueued(id: id))
            _ = try await harness.send(swapped)
            let outcome = try await harness.consumer().runOnce(waitTime: 5)
            #expect(outcome == .failed)
            let failed = try await harness.record(id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "source_changed")
            #expect(try await harness.keys(prefix: "outputs/\(id.uuidString.lowercased())/").isEmpty)
        }
    }

    @Test("FFmpeg killed from outside on every attempt (a memory limit): retried, then failed as ffmpeg_killed on the last attempt")
    func ffmpegKilledOnEveryAttemptFailsAsFFmpegKilled() async throws {
        let harness = try await ConsumerHarness.make(visibility: 3, maximumReceiveCount: 2)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            // What the OOM killer does to an FFmpeg over the unit's MemoryMax.
            let killed = harness.directory.file("ffmpeg-oom")
            try "#!/bin/sh\nkill -9 $$\n".write(toFile: killed, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: killed)
            let record = try await harness.enqueue(jobs: [.thumbnails], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.maximumAttempts = 2
            let consumer = harness.consumer(configuration, ffmpegPath: killed)
            #expect(try await consumer.runOnce(waitTime: 5) == .retried, "the first kill is not the input's fault")
            var outcome: JobOutcome?
            let ended = try await ConsumerHarness.eventually(timeout: .seconds(20)) {
                outcome = try await consumer.runOnce(waitTime: 1)
                return outcome != nil
            }
            #expect(ended && outcome == .failed)
            let failed = try await harness.record(record.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "ffmpeg_killed")
            #expect(failed.error?.message.contains("killed by signal 9") == true)
        }
    }

    @Test("stale scratch entries are removed; a running job's locked directory is not")
    func staleScratchEntriesAreRemovedButLockedOnesKept() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vq-scratch-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let held = try ScratchDirectory(root.appendingPathComponent("running-1"))
        let dead = root.appendingPathComponent("dead-1")
        try FileManager.default.createDirectory(at: dead.appendingPathComponent("out"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: dead.appendingPathComponent("out/partial.mp4"))
        #expect(FileManager.default.createFile(atPath: dead.appendingPathComponent(".lock").path, contents: nil))
        #expect(FileManager.default.createFile(atPath: root.appendingPathComponent("stray-file").path, contents: Data("x".utf8)))
        #expect(ScratchDirectory.removeStale(in: root) == 2)
        #expect(FileManager.default.fileExists(atPath: held.url.path))
        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(throws: (any Error).self) { _ = try ScratchDirectory(held.url) }  // one holder at a time
        held.remove()
        #expect(!FileManager.default.fileExists(atPath: held.url.path))
    }
}

/// FIFO queues end to end: every message the consumer's side sends carries a group and a deduplication id.
@Suite("Consumer: FIFO queues")
struct FIFOQueueTests {
    @Test("a video queued on a FIFO queue is processed and its message deleted")
    func aFIFOQueueWorksEndToEnd() async throws {
        let harness = try await ConsumerHarness.make(fifo: true)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            #expect(harness.queueURL.hasSuffix(".fifo"))
            let record = try await harness.enqueue(jobs: [.thumbnails], source: try await TestVideos.smallVideo())
            #expect(try await harness.consumer().runOnce(waitTime: 5) == .completed)
            #expect(try await harness.record(record.id).status == .completed)
            #expect(try await ConsumerHarness.eventually(timeout: .seconds(10)) { try await harness.messageCount() == 0 })
        }
    }
}
