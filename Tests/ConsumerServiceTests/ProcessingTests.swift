import ConsumerService
import Foundation
import S3Client
import SQSClient
import ServiceLifecycle
import TestSupport
import Testing
import VideoCore
import VideoStore

/// The consumer against LocalStack, real FFmpeg and real SQLite (the key tests on PostgreSQL too): happy path,
/// idempotency, failures.
@Suite("Consumer processing")
struct ProcessingTests {
    @Test(
        "transcode: outputs in S3 under outputs/{id}/, record completed once, message deleted",
        arguments: TestDatabaseBackend.allCases)
    func happyPath(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            let record = try await harness.enqueue(jobs: [.transcode, .thumbnails], source: video)
            let consumer = harness.consumer()

            let outcome = try await consumer.runOnce(waitTime: 5)
            #expect(outcome == .completed)

            let done = try await harness.record(record.id)
            #expect(done.status == .completed)
            #expect(done.attempts == 1)
            #expect(done.progress == 100)
            #expect(done.messageID != nil, "the claim recorded the message's id")
            let prefix = "outputs/\(record.id.uuidString.lowercased())/"
            let mp4 = try #require(done.outputs.first { $0.kind.hasPrefix("transcode/") })
            #expect(mp4.key.hasPrefix(prefix + "transcode/"))
            #expect(mp4.contentType == "video/mp4")
            #expect(mp4.height == 240)
            #expect(done.outputs.contains { $0.kind.hasPrefix("thumbnails/") })
            let keys = try await harness.keys(prefix: prefix)
            #expect(Set(keys) == Set(done.outputs.map(\.key)))
            for output in done.outputs {
                let info = try await harness.s3.headObject(bucket: harness.bucket, key: output.key)
                #expect(info.contentLength == output.size)
            }
            #expect(try await harness.messageCount() == 0)
            // The scratch directory of the job is gone.
            let scratch = (try? FileManager.default.contentsOfDirectory(atPath: harness.directory.file("scratch"))) ?? []
            #expect(scratch.isEmpty)
        }
    }

    @Test("the record's processing options reach the handlers: its renditions, codec, segment length and thumbnail count")
    func processingOptionsApplied() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let options = ProcessingOptions(renditions: [160], codec: .hevc, quality: 35, segmentDuration: 1, thumbnailCount: 2)
            let record = try await harness.enqueue(jobs: [.transcode, .hls, .thumbnails], source: try await TestVideos.smallVideo(), options: options)
            #expect(try await harness.consumer().runOnce(waitTime: 5) == .completed)
            let done = try await harness.record(record.id)
            #expect(done.outputs.filter { $0.kind.hasPrefix("transcode/") }.map(\.kind) == ["transcode/160p"])
            #expect(done.outputs.contains { $0.kind == "hls/init" && $0.key.hasSuffix("hls/160p/init.mp4") })
            #expect(done.outputs.filter { $0.kind == "thumbnails/frame" }.count == 2)
            let segments = done.outputs.filter { $0.kind == "hls/segment" }
            #expect(segments.count >= 2 && segments.allSatisfy { $0.key.hasSuffix(".m4s") })
        }
    }

    @Test("a completed record's message is deleted without work; a cancelled one too", arguments: TestDatabaseBackend.allCases)
    func completedRecordIsSkipped(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            let completed = try await harness.enqueue(source: video)
            let claimed = try #require(try await harness.store.claim(id: completed.id))
            _ = try #require(try await harness.store.complete(id: completed.id, attempt: claimed.attempts, outputs: []))
            let consumer = harness.consumer()

            #expect(try await consumer.runOnce(waitTime: 5) == .skipped)
            let cancelled = try await harness.enqueue(source: video)
            _ = try #require(try await harness.store.cancel(id: cancelled.id, owner: nil))
            #expect(try await consumer.runOnce(waitTime: 5) == .skipped)

            #expect(try await harness.messageCount() == 0)
            #expect(try await harness.keys(prefix: "outputs/").isEmpty)
            #expect(try await harness.record(completed.id).attempts == 1)
            #expect(try await harness.record(cancelled.id).status == .cancelled)
        }
    }

    @Test("two consumers and 10 messages: each video processed exactly once", arguments: TestDatabaseBackend.allCases)
    func twoConsumersProcessEachOnce(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            var ids: [UUID] = []
            for _ in 0..<10 { ids.append(try await harness.enqueue(jobs: [.audio], source: video).id) }
            let first = harness.consumer()
            let second = harness.consumer()
            let services = RunningServices([first, second])

            let allDone = try await ConsumerHarness.eventually(timeout: .seconds(60)) { [ids] in
                for id in ids where try await harness.record(id).status != .completed { return false }
                return true
            }
            try await services.stop()
            #expect(allDone)
            for id in ids {
                let record = try await harness.record(id)
                #expect(record.status == .completed)
                #expect(record.attempts == 1, "video \(id) was claimed \(record.attempts) times")
                #expect(record.outputs.count == 1)
            }
            #expect(try await harness.messageCount() == 0)
            #expect(try await harness.keys(prefix: "outputs/").count == 10)
        }
    }

    @Test("poison corpus: each ends in the DLQ or failed with a clear code, and the consumer keeps running")
    func poisonCorpus() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            let random = try harness.directory.write("random.mp4", bytes: (0..<4096).map { _ in UInt8.random(in: 0...255) })
            let empty = try harness.directory.write("empty.mp4", bytes: [])
            let playlist = try harness.directory.write("list.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n")
            let concat = try harness.directory.write("concat.txt", "ffconcat version 1.0\nfile '/etc/passwd'\n")
            let whole = try Data(contentsOf: URL(fileURLWithPath: video))
            let truncated = try harness.directory.write("truncated.mp4", bytes: whole.prefix(whole.count / 2))

            try await harness.sqs.send(SQSOutgoingMessage(body: "{not json"), to: harness.queueURL)
            try await harness.sqs.send(SQSOutgoingMessage(body: #"{"version":99,"video":{}}"#), to: harness.queueURL)
            let unknown = try await harness.enqueue(jobs: ["teleport"], source: video)
            let missing = try await harness.enqueue(source: nil)
            let garbage = try await harness.enqueue(source: random)
            let zero = try await harness.enqueue(source: empty)
            let hls = try await harness.enqueue(source: playlist)
            let list = try await harness.enqueue(source: concat)
            let cut = try await harness.enqueue(source: truncated)
            let good = try await harness.enqueue(jobs: [.audio], source: video)

            let consumer = harness.consumer()
            let services = RunningServices([consumer])
            let ids = [unknown.id, missing.id, garbage.id, zero.id, hls.id, list.id, cut.id, good.id]
            let settled = try await ConsumerHarness.eventually(timeout: .seconds(60)) {
                for id in ids where ![.failed, .completed].contains(try await harness.record(id).status) { return false }
                return try await harness.messageCount() == 0
            }
            try await services.stop()
            #expect(settled)

            #expect(try await harness.record(unknown.id).error?.code == "unknown_job_type")
            #expect(try await harness.record(missing.id).error?.code == "source_missing")
            let garbageError = try #require(try await harness.record(garbage.id).error)
            #expect(["probe_failed", "unsupported_format"].contains(garbageError.code), "\(garbageError)")
            #expect(try await harness.record(zero.id).error?.code == "empty_input")
            for id in [hls.id, list.id, cut.id] {
                let error = try #require(try await harness.record(id).error)
                #expect(["probe_failed", "unsupported_format"].contains(error.code), "\(error)")
            }
            for id in [unknown.id, missing.id, garbage.id, zero.id, hls.id, list.id, cut.id] {
                let record = try await harness.record(id)
                #expect(record.status == .failed)
                #expect(record.error?.message.isEmpty == false)
            }
            #expect(try await harness.record(good.id).status == .completed)

            // The two undecodable messages are in the DLQ with their reason.
            var deadLettered: [SQSMessage] = []
            _ = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                deadLettered += try await harness.sqs.receive(from: harness.deadLetterQueueURL, maximumMessages: 10, waitTime: 1)
                return deadLettered.count >= 2
            }
            #expect(Set(deadLettered.map(\.body)) == ["{not json", #"{"version":99,"video":{}}"#])
            let codes = Set(deadLettered.compactMap { $0.messageAttributes["videoqueue-error-code"]?.stringValue })
            #expect(codes == ["malformedJSON", "unsupportedVersion"])
            #expect(deadLettered.allSatisfy { ($0.messageAttributes["videoqueue-error"]?.stringValue ?? "").contains("queue message") })
        }
    }

    @Test("a transient failure releases the record and the message comes back; the next attempt completes")
    func transientFailureComesBack() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            let record = try await harness.enqueue(jobs: [.audio], source: video)
            var configuration = harness.configuration()
            configuration.bucket = harness.bucket + "-missing"  // uploads fail: S3 answers NoSuchBucket
            let broken = harness.consumer(configuration)

            #expect(try await broken.runOnce(waitTime: 5) == .retried)
            let released = try await harness.record(record.id)
            #expect(released.status == .queued)
            #expect(released.attempts == 1)
            #expect(try await harness.messageCount() == 1)

            // The backoff (1…2 s here) passes, the message comes back with a higher receive count.
            let working = harness.consumer()
            var outcome: JobOutcome?
            _ = try await ConsumerHarness.eventually(timeout: .seconds(15)) {
                outcome = try await working.runOnce(waitTime: 2)
                return outcome != nil
            }
            #expect(outcome == .completed)
            let done = try await harness.record(record.id)
            #expect(done.status == .completed)
            #expect(done.attempts == 2)
        }
    }

    @Test(
        "a transient failure on the message's last allowed receive sends it again while the record has attempts left; the last attempt fails the record and deletes its message: nothing reaches the DLQ",
        arguments: TestDatabaseBackend.allCases)
    func lastReceiveSendsAgainAndLastAttemptFails(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(maximumReceiveCount: 1, database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let video = try await TestVideos.smallVideo()
            let record = try await harness.enqueue(jobs: [.audio], source: video)
            var configuration = harness.configuration()
            configuration.bucket = harness.bucket + "-missing"
            configuration.maximumAttempts = 2
            let consumer = harness.consumer(configuration)

            #expect(try await consumer.runOnce(waitTime: 5) == .retried)
            let released = try await harness.record(record.id)
            #expect(released.status == .queued)
            #expect(released.attempts == 1)
            var outcome: JobOutcome?
            _ = try await ConsumerHarness.eventually(timeout: .seconds(15)) {
                outcome = try await consumer.runOnce(waitTime: 2)
                return outcome != nil
            }
            #expect(outcome == .failed)
            let failed = try await harness.record(record.id)
            #expect(failed.status == .failed)
            #expect(failed.attempts == 2)
            #expect(failed.error?.code == "retries_exhausted")
            #expect(try await harness.messageCount() == 0)
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0)
        }
    }
}
