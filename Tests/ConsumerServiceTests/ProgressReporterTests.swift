import Foundation
import Logging
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ConsumerService

@Suite("Progress reporter")
struct ProgressReporterTests {
    @Test("progress is written at most once per interval, a stage change at once, and only under the current attempt")
    func throttling() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await SQLiteVideoStore(path: directory.file("videos.sqlite"))
        try await store.migrate()
        let record = VideoRecord(
            owner: "tests", title: "t", originalFilename: "a.mp4", sourceBucket: "b", sourceKey: "k", size: 1,
            contentType: "video/mp4", jobs: [.transcode])
        _ = try await store.create(record, outboxPayload: "{}")
        let claimed = try #require(try await store.claim(id: record.id))
        let reporter = ProgressReporter(
            store: store, videoID: record.id, attempt: claimed.attempts, interval: .seconds(60),
            logger: ConsumerHarness.logger)

        await reporter.report(stage: .encoding, percent: 10, eta: 5)
        for percent in 11...50 { await reporter.report(stage: .encoding, percent: Double(percent), eta: 1) }
        var current = try #require(try await store.video(id: record.id, owner: nil))
        #expect(current.stage == .encoding)
        #expect(current.progress == 10)
        #expect(current.etaSeconds == 5)

        await reporter.report(stage: .uploading, percent: 95, eta: nil)
        current = try #require(try await store.video(id: record.id, owner: nil))
        #expect(current.stage == .uploading)
        #expect(current.progress == 95)

        // A stale attempt cannot write.
        let stale = ProgressReporter(
            store: store, videoID: record.id, attempt: claimed.attempts - 1, interval: .zero,
            logger: ConsumerHarness.logger)
        await stale.report(stage: .downloading, percent: 1, eta: nil)
        current = try #require(try await store.video(id: record.id, owner: nil))
        #expect(current.stage == .uploading)
        try await store.close()
    }
}
