import AWSClientRuntime
import AWSSigV4
import Foundation
import Logging
import S3Client
import SQSClient
import TestSupport
import VideoCore
import VideoStore

@testable import ConsumerService

/// A message handler's world without emulators: a temporary SQLite store (real), an in-memory queue, and the work
/// given by the test. ``with(_:)`` closes the store and removes the directory when the test's body returns.
struct HandlerWorld: Sendable {
    let directory: TemporaryDirectory
    let store: SQLiteVideoStore
    let queue: FakeJobQueue
    static let queueURL = "https://sqs.test/123/jobs"
    static let deadLetterQueueURL = "https://sqs.test/123/jobs-dlq"

    static func with<T: Sendable>(queue: FakeJobQueue = FakeJobQueue(), _ body: (HandlerWorld) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await SQLiteVideoStore(path: directory.file("videos.sqlite"))
        do {
            try await store.migrate()
            let result = try await body(HandlerWorld(directory: directory, store: store, queue: queue))
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// A configuration with short intervals: the record watched every 20 ms (`watchInterval`), retries of 10–300 s.
    func configuration(jobTimeout: Duration = .seconds(60), visibility: Int = 30, watchInterval: Duration = .milliseconds(20)) -> ConsumerConfiguration {
        var configuration = ConsumerConfiguration(queueURL: Self.queueURL, bucket: "bucket", databaseURL: directory.file("videos.sqlite"))
        configuration.visibilityTimeout = visibility
        configuration.heartbeatInterval = .seconds(10)
        configuration.cancellationPollInterval = watchInterval
        configuration.progressInterval = .milliseconds(20)
        configuration.scratchDirectory = directory.file("scratch")
        configuration.retryBaseDelay = 10
        configuration.retryMaximumDelay = 300
        configuration.jobTimeout = jobTimeout
        configuration.jobTimeoutMargin = .zero
        return configuration
    }

    /// A handler running `work`; `activeJobs` lets a test stop every job as a shutdown would.
    func handler(
        work: any JobWork, configuration: ConsumerConfiguration? = nil, maximumReceiveCount: Int? = 5,
        deadLetterQueue: Bool = true, activeJobs: ActiveJobs = ActiveJobs()
    ) -> MessageHandler {
        let configuration = configuration ?? self.configuration()
        let metrics = ConsumerMetrics()
        return MessageHandler(
            configuration: configuration,
            queueSettings: QueueSettings(maximumReceiveCount: maximumReceiveCount, deadLetterQueueURL: deadLetterQueue ? Self.deadLetterQueueURL : nil),
            queue: queue, store: store, work: work,
            heartbeat: VisibilityHeartbeat(
                sqs: queue, queueURL: Self.queueURL, visibilityTimeout: configuration.visibilityTimeout,
                interval: configuration.heartbeatInterval, metrics: metrics, logger: ConsumerHarness.logger),
            activeJobs: activeJobs, metrics: metrics,
            backoff: RedeliveryBackoff(base: configuration.retryBaseDelay, maximum: configuration.retryMaximumDelay),
            deleter: MessageDeleter(sqs: queue, queueURL: Self.queueURL), logger: ConsumerHarness.logger)
    }

    /// The whole consumer service on this world: the fake queue for every message operation (the jobs queue's and
    /// the dead-letter queue's), the SQLite store, and the redrive settings given (no queue attributes are read). Its
    /// SQS and S3 clients point at a port nothing answers: a test that reaches them fails.
    func consumer(
        _ configuration: ConsumerConfiguration, maximumReceiveCount: Int? = 5, deadLetterQueue: Bool = true,
        environment: [String: String] = [:]
    ) throws -> ConsumerService {
        guard let endpoint = AWSEndpoint(url: "http://127.0.0.1:9") else { throw HandlerWorldError("bad endpoint") }
        let clients = AWSClientConfiguration(
            region: "us-east-1", endpoint: endpoint,
            credentialProvider: StaticCredentialProvider(credentials: Credentials(accessKeyID: "test", secretAccessKey: "test")),
            retry: .none, requestTimeout: .seconds(1))
        return ConsumerService(
            configuration: configuration, sqs: SQSClient(configuration: clients), queue: queue, s3: S3Client(configuration: clients),
            store: store, pipeline: ConsumerHarness.pipeline(),
            queueSettings: QueueSettings(
                maximumReceiveCount: maximumReceiveCount,
                deadLetterQueueURL: deadLetterQueue ? Self.deadLetterQueueURL : nil),
            logger: ConsumerHarness.logger, environment: environment)
    }

    /// A queued record and the message that queued it.
    func queuedVideo(messageID: String = UUID().uuidString) async throws -> (VideoRecord, SQSMessage) {
        let record = VideoRecord(
            owner: "tests", title: "t", originalFilename: "a.mp4", sourceBucket: "bucket", sourceKey: "uploads/a.mp4",
            size: 1, contentType: "video/mp4", jobs: [.transcode])
        _ = try await store.create(record, outboxPayload: "{}")
        let queued = try await store.markQueued(id: record.id, messageID: messageID) ?? record
        return (queued, try message(for: queued, messageID: messageID))
    }

    /// The message for `record` with `messageID`, received `receiveCount` times.
    func message(for record: VideoRecord, messageID: String, receiveCount: Int = 1) throws -> SQSMessage {
        SQSMessage(
            messageID: messageID, receiptHandle: "handle-\(messageID)-\(receiveCount)", body: try QueueMessage(video: record).encodedString(),
            md5OfBody: "", attributes: ["ApproximateReceiveCount": String(receiveCount)])
    }

    /// The record now.
    func current(_ id: UUID) async throws -> VideoRecord? {
        try await store.video(id: id, owner: nil)
    }
}

struct HandlerWorldError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
