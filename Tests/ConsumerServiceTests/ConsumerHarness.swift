import AWSClientRuntime
import ConsumerService
import Foundation
import Logging
import MediaProcessing
import NIOCore
import S3Client
import SQSClient
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing
import VideoCore
import VideoStore

/// One test's world on LocalStack: a jobs queue with a dead-letter queue (redrive policy), a bucket, a
/// scratch directory and a store of its own: a temporary SQLite file, or a new database on the PostgreSQL of
/// `VIDEOQUEUE_TEST_DATABASE_URL` (dropped by ``tearDown()``).
struct ConsumerHarness: Sendable {
    let sqs: SQSClient
    let s3: S3Client
    let store: any VideoStore
    /// The store's run (``VideoStore/run()``: PostgreSQL's pools), awaited by ``tearDown()`` after the store is closed.
    let storeRun: Task<Void, Never>
    /// The store's `DATABASE_URL`.
    let databaseURL: String
    /// The PostgreSQL database made for this harness.
    let postgresDatabase: TestPostgresDatabase?
    let queueURL: String
    let deadLetterQueueURL: String
    let bucket: String
    let directory: TemporaryDirectory
    let maximumReceiveCount: Int

    static let logger: Logger = {
        var logger = Logger(label: "VideoQueue.ConsumerTests")
        let level = ProcessInfo.processInfo.environment["VIDEOQUEUE_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) }
        logger.logLevel = level ?? .critical
        return logger
    }()

    /// - Parameters:
    ///   - visibility: the queue's own visibility timeout in seconds.
    ///   - maximumReceiveCount: the redrive policy's limit.
    ///   - database: SQLite or PostgreSQL.
    /// - Parameter fifo: FIFO queues (`….fifo`, a FIFO dead-letter queue).
    static func make(
        visibility: Int = 3, maximumReceiveCount: Int = 5,
        database: TestDatabaseBackend = .sqlite, fifo: Bool = false
    ) async throws -> ConsumerHarness {
        let configuration = try Emulator.localstack.configuration()
        let sqs = SQSClient(configuration: configuration)
        let s3 = S3Client(configuration: configuration)
        let name = Emulator.uniqueName("consumer")
        let suffix = fifo ? ".fifo" : ""
        let fifoAttributes = fifo ? ["FifoQueue": "true"] : [:]
        let dlq = try await sqs.createQueue(named: name + "-dlq" + suffix, attributes: fifoAttributes)
        let dlqARN = try await sqs.attributes(of: dlq, names: ["QueueArn"])["QueueArn"] ?? ""
        let queue = try await sqs.createQueue(
            named: name + suffix,
            attributes: fifoAttributes.merging([
                "VisibilityTimeout": String(visibility),
                "RedrivePolicy": #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":"\#(maximumReceiveCount)"}"#,
            ]) { $1 })
        let bucket = name
        try await s3.createBucket(bucket)
        let directory = try TemporaryDirectory()
        let postgres = database == .postgres ? try TestPostgresDatabase.create(prefix: "vq_consumer_") : nil
        let databaseURL = postgres?.url ?? directory.file("videos.sqlite")
        let store: any VideoStore
        let storeRun: Task<Void, Never>
        do {
            store = try await DatabaseConfiguration(url: databaseURL).makeStore(logger: logger)
        } catch {
            postgres?.drop()
            throw error
        }
        storeRun = Task { await store.run() }
        do {
            try await store.migrate()
        } catch {
            try? await store.close()
            await storeRun.value
            postgres?.drop()
            throw error
        }
        return ConsumerHarness(
            sqs: sqs, s3: s3, store: store, storeRun: storeRun, databaseURL: databaseURL, postgresDatabase: postgres, queueURL: queue,
            deadLetterQueueURL: dlq, bucket: bucket, directory: directory, maximumReceiveCount: maximumReceiveCount)
    }

    /// Removes the queues, the bucket's objects and the bucket, and the temporary directory.
    func tearDown() async {
        try? await sqs.deleteQueue(queueURL)
        try? await sqs.deleteQueue(deadLetterQueueURL)
        if let objects = try? await s3.listObjects(bucket: bucket).collect(), !objects.isEmpty {
            _ = try? await s3.deleteObjects(bucket: bucket, keys: objects.map(\.key))
        }
        try? await s3.deleteBucket(bucket)
        try? await store.close()
        await storeRun.value
        postgresDatabase?.drop()
        directory.remove()
    }

    /// A configuration for tests: short visibility, heartbeat, polls and retries; a 1-second long poll; no
    /// dead-letter watcher (it would hide the DLQ's messages for an hour; the tests of the watcher turn it on).
    func configuration(concurrency: Int = 2, visibility: Int = 3) -> ConsumerConfiguration {
        var configuration = ConsumerConfiguration(queueURL: queueURL, bucket: bucket, databaseURL: databaseURL)
        configuration.concurrency = concurrency
        configuration.visibilityTimeout = visibility
        configuration.heartbeatInterval = .milliseconds(visibility * 1000 / 3)
        configuration.waitTimeSeconds = 1
        configuration.cancellationPollInterval = .milliseconds(250)
        configuration.progressInterval = .milliseconds(250)
        configuration.scratchDirectory = directory.file("scratch")
        configuration.retryBaseDelay = 1
        configuration.retryMaximumDelay = 2
        configuration.drainTimeout = .seconds(5)
        configuration.jobTimeout = .seconds(60)
        configuration.jobTimeoutMargin = .zero
        configuration.healthPort = 0
        configuration.deadLetterCheckInterval = .zero
        return configuration
    }

    /// The standard handlers with fast settings, plus `paced` (see ``PacedHandler``); `ffmpegPath` replaces FFmpeg
    /// (a wrapper that logs its runs, see ``FFmpegRunLog``).
    static func pipeline(pacedSeconds: Double = 6, ffmpegPath: String? = nil) -> MediaJobPipeline {
        var registry = MediaJobRegistry.standard
        registry.register(PacedHandler(seconds: pacedSeconds))
        let ffmpeg = FFmpegConfiguration(ffmpegPath: ffmpegPath, threads: 1, killGracePeriod: .seconds(2))
        return MediaJobPipeline(
            registry: registry, runner: FFmpegRunner(configuration: ffmpeg, logger: logger),
            probe: MediaProbe(configuration: ffmpeg, logger: logger),
            options: MediaJobOptions(renditionHeights: [240], x264Preset: "ultrafast"), diskSpaceFactor: 1,
            logger: logger)
    }

    func consumer(_ configuration: ConsumerConfiguration? = nil, pacedSeconds: Double = 6, ffmpegPath: String? = nil) -> ConsumerService {
        ConsumerService(
            configuration: configuration ?? self.configuration(), sqs: sqs, s3: s3, store: store,
            pipeline: Self.pipeline(pacedSeconds: pacedSeconds, ffmpegPath: ffmpegPath), logger: Self.logger, environment: [:])
    }

    // MARK: Videos and messages

    /// Stores a record (queued), uploads `source` (a file path; `nil`: no object) and sends its message.
    @discardableResult
    func enqueue(jobs: [JobType] = [.transcode], source: String?, sendMessage: Bool = true, options: ProcessingOptions? = nil) async throws -> VideoRecord {
        let id = UUID()
        let key = "sources/\(id.uuidString.lowercased())/input.mp4"
        var size: Int64 = 0
        if let source {
            size = (try FileManager.default.attributesOfItem(atPath: source)[.size] as? NSNumber)?.int64Value ?? 0
            try await s3.upload(file: source, bucket: bucket, key: key, contentType: "video/mp4")
        }
        let record = VideoRecord(
            id: id, owner: "tests", title: "test video", originalFilename: "input.mp4", sourceBucket: bucket,
            sourceKey: key, size: size, contentType: "video/mp4", jobs: jobs, options: options)
        let body = try QueueMessage(video: record).encodedString()
        _ = try await store.create(record, outboxPayload: body)
        let queued = try #require(try await store.markQueued(id: id))
        if sendMessage {
            try await sqs.send(
                SQSOutgoingMessage(body: body)
                    .addressed(to: queueURL, groupID: id.uuidString.lowercased(), deduplicationID: UUID().uuidString), to: queueURL)
        }
        return queued
    }

    /// Sends `record`'s queue message; returns its MessageId.
    func send(_ record: VideoRecord) async throws -> String {
        try await sqs.send(
            SQSOutgoingMessage(body: try QueueMessage(video: record).encodedString())
                .addressed(to: queueURL, groupID: record.id.uuidString.lowercased(), deduplicationID: UUID().uuidString), to: queueURL
        ).messageID
    }

    /// What a consumer that dies right after claiming does: receives one message (waiting up to 5 s) with
    /// `visibility`, and claims its record with the message's id; nothing extends or deletes the message.
    func receiveAndClaim(visibility: Int) async throws -> (message: SQSMessage, record: VideoRecord) {
        let message = try #require(try await sqs.receive(from: queueURL, maximumMessages: 1, waitTime: 5, visibilityTimeout: visibility).first)
        let id = try QueueMessage.decode(message.body).video.id
        let claimed = try #require(try await store.claim(id: id, messageID: message.messageID))
        return (message, claimed)
    }

    /// Receives from the jobs queue until SQS has moved `count` messages to the DLQ (their receive count
    /// reached the redrive limit); whether it did within `timeout`.
    func waitForDeadLetters(_ count: Int, timeout: Duration = .seconds(20)) async throws -> Bool {
        try await Self.eventually(timeout: timeout) {
            _ = try await sqs.receive(from: queueURL, maximumMessages: 10, waitTime: 1)
            return try await messageCount(deadLetterQueueURL) >= count
        }
    }

    /// In-flight messages of `queue` (received and not yet visible again).
    func inFlightCount(_ queue: String) async throws -> Int {
        Int(try await sqs.attributes(of: queue, names: ["ApproximateNumberOfMessagesNotVisible"])["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? 0
    }

    func record(_ id: UUID) async throws -> VideoRecord {
        try #require(try await store.video(id: id, owner: nil))
    }

    /// Visible plus in-flight messages of `queue` (LocalStack's counts are exact).
    func messageCount(_ queue: String? = nil) async throws -> Int {
        let attributes = try await sqs.attributes(
            of: queue ?? queueURL,
            names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return (Int(attributes["ApproximateNumberOfMessages"] ?? "") ?? 0) + (Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? 0)
    }

    /// The keys under `prefix`.
    func keys(prefix: String) async throws -> [String] {
        try await s3.listObjects(bucket: bucket, prefix: prefix).collect().map(\.key).sorted()
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes; whether it held.
    @discardableResult
    static func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        try await TestSupport.eventually(timeout: timeout, every: .milliseconds(100), condition)
    }
}

/// Runs services in a `ServiceGroup` in the background of a test; ``stop()`` triggers a graceful shutdown
/// and waits for the group to end.
final class RunningServices: Sendable {
    let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let ended: EndFlag

    private final class EndFlag: Sendable {
        let value = Mutex(false)
    }

    init(_ services: [any Service]) {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }, logger: ConsumerHarness.logger))
        self.group = group
        let ended = EndFlag()
        self.ended = ended
        task = Task {
            defer { ended.value.withLock { $0 = true } }
            try await group.run()
        }
    }

    /// Whether the group ended (a service returned or threw).
    var hasEnded: Bool { ended.value.withLock { $0 } }

    /// Graceful shutdown; returns how long the group took to end.
    @discardableResult
    func stop() async throws -> Duration {
        let start = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await task.value
        return ContinuousClock.now - start
    }
}

/// A job that runs FFmpeg at the input's own pace (`-re`, looping) for a fixed time and writes nothing:
/// a long-running job that costs almost no CPU, for cancellation, heartbeat, timeout and shutdown tests.
struct PacedHandler: MediaJobHandler {
    var seconds: Double
    var name: String { "paced" }

    func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        let invocation = FFmpegInvocation(
            inputs: [.init(url: job.input, options: ["-re", "-stream_loop", "-1"])],
            outputArguments: ["-t", String(seconds), "-map", "0:v:0", "-f", "null", "-"],
            expectedDuration: seconds)
        try await job.runner.run(invocation, progress: job.ffmpegProgress())
        return []
    }
}

/// Inputs made once per test run with FFmpeg's test sources.
enum TestVideos {
    /// 320×240, 15 fps, H.264 + AAC, 2 s.
    static let small = Task<String, any Error> {
        let directory = NSTemporaryDirectory() + "videoqueue-consumer-media-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/small.mp4"
        if FileManager.default.fileExists(atPath: path) { return path }
        try await runFFmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path,
        ])
        return path
    }

    static func smallVideo() async throws -> String { try await small.value }

    static func runFFmpeg(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FFmpegConfiguration().ffmpegPath)
        process.arguments = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + arguments
        process.standardInput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { process in
                if process.terminationStatus == 0 {
                    continuation.resume()
                } else {
                    continuation.resume(throwing: EmulatorError("ffmpeg \(arguments.joined(separator: " ")) exited \(process.terminationStatus)"))
                }
            }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}

/// A wrapper around the real FFmpeg that appends `start` to a log when it runs and `exit <status>` when FFmpeg
/// ends; a run killed from outside (its process group signalled) leaves a `start` without an `exit`.
struct FFmpegRunLog: Sendable {
    let script: String
    let log: String

    init(directory: TemporaryDirectory) throws {
        script = directory.file("ffmpeg-logged")
        log = directory.file("ffmpeg-runs.log")
        let ffmpeg = FFmpegConfiguration().ffmpegPath
        let text = """
            #!/bin/sh
            echo start >> '\(log)'
            '\(ffmpeg)' "$@"
            status=$?
            echo "exit $status" >> '\(log)'
            exit $status

            """
        try text.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
    }

    /// The log's lines so far.
    var lines: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
