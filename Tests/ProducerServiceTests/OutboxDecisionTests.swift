import Foundation
import Logging
import SQSClient
import Synchronization
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// The outbox dispatcher's failure handling against a real SQLite store and an in-memory queue (``OutboxQueue``):
/// what a failed, hung or repeated send and a failed mark do to the entry and the record — in milliseconds, no
/// emulator (the LocalStack tests cover the client and the whole path).
@Suite("Outbox dispatcher with an in-memory queue")
struct OutboxDecisionTests {
    /// A queue that answers each send with the next of its scripted answers (the last one repeats), and keeps what
    /// was sent.
    final class ScriptedQueue: OutboxQueue {
        enum Answer: Sendable {
            case accept
            case fail
            case hang
        }

        private let state: Mutex<(answers: [Answer], sent: [SQSOutgoingMessage])>

        init(_ answers: [Answer]) { state = Mutex((answers, [])) }

        var sent: [SQSOutgoingMessage] { state.withLock { $0.sent } }

        func send(_ message: SQSOutgoingMessage, to queueURL: String) async throws -> SQSSendResult {
            let (answer, count) = state.withLock { state -> (Answer, Int) in
                let answer = state.answers.count > 1 ? state.answers.removeFirst() : state.answers.first ?? .accept
                if case .accept = answer { state.sent.append(message) }
                return (answer, state.sent.count)
            }
            switch answer {
            case .accept: return SQSSendResult(messageID: "message-\(count)")
            case .fail: throw SQSError(code: SQSError.Code(rawValue: "ServiceUnavailable"), message: "down", statusCode: 503)
            case .hang:
                try await Task.sleep(for: .seconds(3600))
                throw CancellationError()
            }
        }
    }

    /// A temporary SQLite store with one pending video and its outbox entry; `body` gets both.
    static func withPendingVideo(_ body: (SQLiteVideoStore, VideoRecord, TemporaryDirectory) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await SQLiteVideoStore(path: directory.file("videos.sqlite"))
        try await store.running {
            try await store.migrate()
            let record = VideoRecord(
                owner: "alice", title: "t", originalFilename: "a.mp4", sourceBucket: "bucket", sourceKey: "sources/x/source", size: 1,
                contentType: "video/mp4", jobs: [.transcode])
            _ = try await store.create(record, outboxPayload: try QueueMessage(video: record).encodedString())
            try await body(store, record, directory)
        }
    }

    static func dispatcher(_ store: any VideoStore, _ queue: ScriptedQueue, queueURL: String = "https://sqs.test/1/jobs", sendTimeout: Duration = .seconds(15))
        -> OutboxDispatcher
    {
        OutboxDispatcher(store: store, sqs: queue, queueURL: queueURL, sendTimeout: sendTimeout, logger: Logger(label: "test"))
    }

    /// The outbox's rows as `attempts|last_error|due` (due: `1` when due now), read with the `sqlite3` shell:
    /// the store's own read of due entries leases them.
    static func rows(_ directory: TemporaryDirectory) async throws -> [String] {
        let query = "SELECT attempts || '|' || coalesce(last_error, '') || '|' || (not_before <= CAST(strftime('%s','now') AS INTEGER) * 1000) FROM outbox"
        return try await runTool(["sqlite3", directory.file("videos.sqlite"), query]).output.split(separator: "\n").map(String.init)
    }

    /// Makes the entry due now.
    static func makeDue(_ directory: TemporaryDirectory) async throws {
        try await OutboxDispatcherTests.sqlite(directory.file("videos.sqlite"), "UPDATE outbox SET not_before = 0")
    }

    @Test(
        "a refused send leaves the record pending and the entry rescheduled with its error; once due again it is sent and the record queued with the message id"
    )
    func refusedSendIsRescheduledThenSent() async throws {
        try await Self.withPendingVideo { store, record, directory in
            let queue = ScriptedQueue([.fail, .accept])
            let dispatcher = Self.dispatcher(store, queue)
            #expect(await dispatcher.dispatchDue() == 0)
            let failed = try await Self.rows(directory)
            #expect(failed.count == 1)
            #expect(failed.first?.hasPrefix("1|") == true, "one attempt: \(failed)")
            #expect(failed.first?.contains("ServiceUnavailable") == true)
            #expect(try await store.video(id: record.id, owner: nil)?.status == .pending)

            try await Self.makeDue(directory)
            #expect(await dispatcher.dispatchDue() == 1)
            #expect(try await Self.rows(directory).isEmpty, "the entry is gone once sent and marked")
            let queued = try #require(try await store.video(id: record.id, owner: nil))
            #expect(queued.status == .queued)
            #expect(queued.messageID == "message-1")
            #expect(queue.sent.count == 1)
        }
    }

    @Test("a send that never answers is given up at the send timeout and rescheduled, not left holding the round", .timeLimit(.minutes(1)))
    func hungSendIsGivenUp() async throws {
        try await Self.withPendingVideo { store, record, directory in
            let queue = ScriptedQueue([.hang])
            let dispatcher = Self.dispatcher(store, queue, sendTimeout: .milliseconds(200))
            #expect(await dispatcher.dispatchDue() == 0)
            let rows = try await Self.rows(directory)
            #expect(rows.count == 1)
            #expect(rows.first?.hasPrefix("1|") == true, "one attempt: \(rows)")
            #expect(rows.first?.contains("SendMessage did not answer") == true, "\(rows)")
            #expect(try await store.video(id: record.id, owner: nil)?.status == .pending)
        }
    }

    @Test("on a FIFO queue each video is its own group and the entry its deduplication id; the message names its video")
    func fifoAddressing() async throws {
        try await Self.withPendingVideo { store, record, _ in
            let queue = ScriptedQueue([.accept, .accept])
            let second = VideoRecord(
                owner: "alice", title: "t", originalFilename: "b.mp4", sourceBucket: "bucket", sourceKey: "sources/y/source", size: 1,
                contentType: "video/mp4", jobs: [.transcode])
            _ = try await store.create(second, outboxPayload: try QueueMessage(video: second).encodedString())
            #expect(await Self.dispatcher(store, queue, queueURL: "https://sqs.test/1/jobs.fifo").dispatchDue() == 2)
            let message = try #require(queue.sent.first { $0.groupID == record.id.uuidString.lowercased() })
            #expect(queue.sent.map(\.groupID) != [message.groupID, message.groupID], "one group per video")
            #expect(Set(queue.sent.compactMap(\.deduplicationID)).count == 2, "each entry its own deduplication id")
            #expect(message.attributes["videoId"] == .string(record.id.uuidString.lowercased()))
            #expect(try QueueMessage.decode(message.body).video.id == record.id)
        }
    }

    @Test("a message whose 'sent' mark fails is never sent again, however often the entry falls due; the mark lands once the database answers")
    func failedMarkNeverResends() async throws {
        try await Self.withPendingVideo { store, record, directory in
            let queue = ScriptedQueue([.accept])
            let dispatcher = Self.dispatcher(store, queue)
            let database = directory.file("videos.sqlite")
            try await OutboxDispatcherTests.sqlite(database, "ALTER TABLE videos RENAME TO videos_away")
            #expect(await dispatcher.dispatchDue() == 1)
            #expect(dispatcher.unmarkedCount == 1)
            for _ in 0..<3 {
                try await Self.makeDue(directory)
                #expect(await dispatcher.dispatchDue() == 0)
            }
            #expect(queue.sent.count == 1, "sent once")
            try await OutboxDispatcherTests.sqlite(database, "ALTER TABLE videos_away RENAME TO videos")
            #expect(await dispatcher.dispatchDue() == 0)
            #expect(dispatcher.unmarkedCount == 0)
            #expect(try await store.video(id: record.id, owner: nil)?.messageID == "message-1")
            #expect(queue.sent.count == 1)
        }
    }
}
