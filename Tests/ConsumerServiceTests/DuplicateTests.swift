import ConsumerService
import Foundation
import TestSupport
import Testing
import VideoCore
import VideoStore

/// Duplicate queue messages for one video, end to end: harmless.
@Suite("Consumer duplicates")
struct DuplicateTests {
    @Test(
        "two messages for one video and two consumers: the job runs exactly once, FFmpeg is never killed, the duplicate is deleted after",
        arguments: TestDatabaseBackend.allCases)
    func twoMessagesOneJob(database: TestDatabaseBackend) async throws {
        // Receives of the duplicate while the job runs count towards the redrive limit: room for all of them.
        let harness = try await ConsumerHarness.make(visibility: 3, maximumReceiveCount: 20, database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let runs = try FFmpegRunLog(directory: harness.directory)
            // A job far longer than the 3-second visibility: the duplicate comes back several times while it runs.
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            _ = try await harness.send(record)
            let first = harness.consumer(pacedSeconds: 10, ffmpegPath: runs.script)
            let second = harness.consumer(pacedSeconds: 10, ffmpegPath: runs.script)
            let services = RunningServices([first, second])

            let done = try await ConsumerHarness.eventually(timeout: .seconds(60)) {
                guard try await harness.record(record.id).status == .completed else { return false }
                return try await harness.messageCount() == 0
            }
            try await services.stop()
            let left = try await harness.messageCount()
            #expect(done, "\(left) messages left")
            let final = try await harness.record(record.id)
            #expect(final.attempts == 1, "claimed once, never taken over")
            #expect(runs.lines == ["start", "exit 0"], "one FFmpeg run, ended by itself: \(runs.lines)")
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0)
        }
    }
}
