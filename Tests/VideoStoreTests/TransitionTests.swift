import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct TransitionTests {
    /// An operation of the store, the statuses it moves from and the status it moves to.
    enum Operation: String, CaseIterable, Sendable {
        case markQueued, claim, complete, fail, release, cancel, retry

        var sources: Set<VideoStatus> {
            switch self {
            case .markQueued: [.pending]
            case .claim: [.queued, .pending]
            case .complete, .release: [.processing]
            case .fail: [.pending, .queued, .processing]
            case .cancel: [.pending, .queued, .processing]
            case .retry: [.failed]
            }
        }

        var target: VideoStatus {
            switch self {
            case .markQueued, .release, .retry: .queued
            case .claim: .processing
            case .complete: .completed
            case .fail: .failed
            case .cancel: .cancelled
            }
        }

        func run(_ store: any VideoStore, _ record: VideoRecord) async throws -> VideoRecord? {
            switch self {
            case .markQueued: try await store.markQueued(id: record.id)
            case .claim: try await store.claim(id: record.id)
            case .complete: try await store.complete(id: record.id, attempt: record.attempts, outputs: [])
            case .fail: try await store.fail(id: record.id, attempt: nil, error: VideoFailure(code: "x", message: "y"))
            case .release: try await store.release(id: record.id, attempt: record.attempts)
            case .cancel: try await store.cancel(id: record.id, owner: record.owner)
            case .retry: try await store.retry(id: record.id, owner: record.owner)
            }
        }
    }

    /// Every operation from every status: it succeeds exactly when the status table allows it.
    @Test(arguments: StoreBackend.allCases, VideoStatus.allCases)
    func everyOperationFromEveryStatus(backend: StoreBackend, status: VideoStatus) async throws {
        try await TestDatabase.with(backend) { _, store in
            for operation in Operation.allCases {
                let record = try await Sample.stored(in: store, status: status)
                #expect(record.status == status)
                let expected = operation.sources.contains(status) && status.canTransition(to: operation.target)
                let result = try await operation.run(store, record)
                #expect((result != nil) == expected, "\(operation) from \(status)")
                if let result {
                    #expect(result.status == operation.target)
                    #expect(try await store.video(id: record.id, owner: nil) == result)
                } else {
                    #expect(try await store.video(id: record.id, owner: nil)?.status == status, "unchanged")
                }
                #expect(try await operation.run(store, Sample.record()) == nil, "\(operation) of a missing record")
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func lifecycle(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let record = try await store.create(Sample.record(), outboxPayload: "{}")
            let queued = try #require(try await store.markQueued(id: record.id))
            #expect(queued.status == .queued && queued.queuedAt != nil)
            let claimed = try #require(try await store.claim(id: record.id))
            #expect(claimed.status == .processing && claimed.attempts == 1 && claimed.startedAt != nil)

            let progressed = try #require(
                try await store.updateProgress(
                    id: record.id, attempt: 1, stage: .encoding,
                    progress: 150, eta: 9.5))
            #expect(progressed.stage == .encoding && progressed.progress == 100 && progressed.etaSeconds == 9.5)
            #expect(try await store.updateProgress(id: record.id, attempt: 2, stage: .encoding, progress: 1, eta: nil) == nil)
            await #expect(throws: VideoStoreError.self) {
                try await store.updateProgress(id: record.id, attempt: 1, stage: nil, progress: .nan, eta: nil)
            }

            let outputs = [
                VideoOutput(
                    kind: "mp4", key: "out/720p.mp4", size: 99, contentType: "video/mp4",
                    width: 1280, height: 720, duration: 3.5)
            ]
            #expect(try await store.complete(id: record.id, attempt: 0, outputs: outputs) == nil, "stale attempt")
            let completed = try #require(try await store.complete(id: record.id, attempt: 1, outputs: outputs))
            #expect(completed.status == .completed && completed.outputs == outputs && completed.progress == 100)
            #expect(completed.stage == nil && completed.finishedAt != nil)
            #expect(try await store.complete(id: record.id, attempt: 1, outputs: []) == nil, "never twice")
            #expect(try await store.updateProgress(id: record.id, attempt: 1, stage: .uploading, progress: 5, eta: nil) == nil)
            #expect(try await store.video(id: record.id, owner: nil) == completed)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func releaseAndReclaimFenceTheOldAttempt(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let first = try await Sample.stored(in: store, status: .processing)
            #expect(first.attempts == 1)
            #expect(try await store.release(id: first.id, attempt: 2) == nil)
            let released = try #require(try await store.release(id: first.id, attempt: 1))
            #expect(released.status == .queued && released.progress == 0 && released.stage == nil)
            let second = try #require(try await store.claim(id: first.id))
            #expect(second.attempts == 2)
            // The first consumer wakes up: everything it tries is refused.
            #expect(try await store.updateProgress(id: first.id, attempt: 1, stage: .uploading, progress: 90, eta: 1) == nil)
            #expect(try await store.complete(id: first.id, attempt: 1, outputs: []) == nil)
            #expect(try await store.fail(id: first.id, attempt: 1, error: VideoFailure(code: "a", message: "b")) == nil)
            #expect(try await store.release(id: first.id, attempt: 1) == nil)
            #expect(try await store.complete(id: first.id, attempt: 2, outputs: [])?.status == .completed)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func failAndRetry(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let claimed = try await Sample.stored(in: store, status: .processing)
            let failure = VideoFailure(code: "ffmpeg_failed", message: "FFmpeg exited with 1", detail: "moov atom not found")
            let failed = try #require(try await store.fail(id: claimed.id, attempt: claimed.attempts, error: failure))
            #expect(failed.status == .failed && failed.error == failure && failed.finishedAt != nil)
            let depth = try await store.outboxDepth()
            #expect(try await store.retry(id: claimed.id, owner: "mallory") == nil, "another owner's")
            let retried = try #require(try await store.retry(id: claimed.id, owner: "alice"))
            #expect(retried.status == .queued && retried.error == nil && retried.finishedAt == nil)
            #expect(retried.attempts == claimed.attempts, "the fencing token never goes back")
            #expect(try await store.outboxDepth() == depth + 1, "a new outbox entry")
            let entry = try #require(
                try await store.dueOutbox(limit: 100, now: Date().addingTimeInterval(1))
                    .first { $0.videoID == claimed.id && $0.payload != "{}" })
            #expect(try QueueMessage.decode(entry.payload).video == retried)
            #expect(try await store.retry(id: claimed.id, owner: nil) == nil, "not failed any more")
            let again = try #require(try await store.claim(id: claimed.id))
            #expect(again.attempts == claimed.attempts + 1)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func cancelRemovesUnsentOutboxEntries(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let record = try await store.create(Sample.record(), outboxPayload: "{}")
            #expect(try await store.outboxDepth() == 1)
            let cancelled = try #require(try await store.cancel(id: record.id, owner: "alice"))
            #expect(cancelled.status == .cancelled && cancelled.finishedAt != nil)
            #expect(try await store.outboxDepth() == 0)
            #expect(try await store.claim(id: record.id) == nil)
            #expect(try await store.cancel(id: record.id, owner: "alice") == nil)
        }
    }
}
