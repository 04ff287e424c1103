import Foundation
import Logging
import MediaProcessing
import S3Client
import SQSClient
import ServiceLifecycle
import ServiceSupport
import Synchronization
import VideoCore
import VideoStore

/// The consumer daemon's receive loop, as a swift-service-lifecycle `Service`.
///
/// It long-polls the jobs queue for at most as many messages as it has free job slots
/// (``ConsumerConfiguration/concurrency``), runs each message's job in a child task, and keeps the running
/// jobs' messages invisible with a batched heartbeat. On graceful shutdown no new poll starts; a long poll in flight
/// is not cancelled (SQS would still count the receive of what it hands over, and keep it invisible for the
/// visibility timeout) but ends by itself within ``ConsumerConfiguration/waitTimeSeconds`` plus
/// ``ConsumerConfiguration/sqsCallTimeout``, and whatever it brought is handed back at once (visibility 0), never
/// run. Running jobs then get ``ConsumerConfiguration/drainTimeout`` to finish, and the rest are handed back: their
/// records released and their messages made visible again, so another consumer takes them immediately.
/// When a dead-letter queue is known, a dead-letter watcher runs beside the loop and fails the records whose
/// message went to the DLQ unfinished (``ConsumerConfiguration/deadLetterCheckInterval``).
///
/// ```swift
/// let consumer = ConsumerService(configuration: configuration, sqs: sqs, s3: s3, store: store)
/// let group = ServiceGroup(configuration: .init(services: [consumer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()
/// ```
public final class ConsumerService: Service, Sendable {
    /// What `/readyz` and `STATUS=` report.
    public struct Status: Sendable, Equatable {
        /// When the poll loop last went round (`nil`: not started).
        public var lastPoll: ContinuousClock.Instant?
        /// Jobs running now.
        public var inFlight: Int
        /// Whether a graceful shutdown started.
        public var stopping: Bool
        /// While start-up waits for a dependency: `waiting for SQS: <the last error>` (`nil`: not waiting).
        public var waitingFor: String? = nil
    }

    /// The settings the service runs with.
    public let configuration: ConsumerConfiguration
    let sqs: SQSClient
    /// The jobs queue's receives, visibility changes and deletions: ``sqs``, or a fake in the tests.
    let queue: any JobQueue
    let s3: S3Client
    let store: any VideoStore
    /// Whether the service closes ``store`` (``runDaemon(environment:signals:logger:)`` as its last service, ``close()``):
    /// when it opened the store itself (``bootstrap(configuration:environment:logger:)``).
    let ownsStore: Bool
    let pipeline: MediaJobPipeline
    let metrics: ConsumerMetrics
    let logger: Logger
    let notifier: SystemdNotifier
    let slots: JobSlots
    let activeJobs = ActiveJobs()
    let liveness: PollLiveness
    let state = Mutex<(settings: QueueSettings?, waitingFor: String?, stopping: Bool, drainDeadline: ContinuousClock.Instant?)>((nil, nil, false, nil))

    /// - Parameters:
    ///   - pipeline: the media pipeline; `nil` builds the standard one from the configuration (FFmpeg paths and
    ///     threads, the duration limit).
    ///   - queueSettings: the redrive limit and DLQ; `nil` reads them from the queue when the service starts.
    ///   - environment: where `NOTIFY_SOCKET` is read from.
    ///   - ownsStore: whether the service closes `store` when it is done (``runDaemon(environment:signals:logger:)``,
    ///     ``close()``); otherwise the caller does.
    public convenience init(
        configuration: ConsumerConfiguration, sqs: SQSClient, s3: S3Client, store: any VideoStore,
        pipeline: MediaJobPipeline? = nil, queueSettings: QueueSettings? = nil, metrics: ConsumerMetrics = ConsumerMetrics(),
        logger: Logger = Logger(label: "videoqueue.consumer"),
        environment: [String: String] = ProcessInfo.processInfo.environment, ownsStore: Bool = false
    ) {
        self.init(
            configuration: configuration, sqs: sqs, queue: sqs, s3: s3, store: store, pipeline: pipeline, queueSettings: queueSettings,
            metrics: metrics, logger: logger, environment: environment, ownsStore: ownsStore)
    }

    /// The consumer with `queue` for the jobs queue's and the dead-letter queue's message operations (``sqs`` keeps the
    /// queue attributes and `/readyz`'s check).
    init(
        configuration: ConsumerConfiguration, sqs: SQSClient, queue: any JobQueue, s3: S3Client, store: any VideoStore,
        pipeline: MediaJobPipeline? = nil, queueSettings: QueueSettings? = nil, metrics: ConsumerMetrics = ConsumerMetrics(),
        logger: Logger = Logger(label: "videoqueue.consumer"),
        environment: [String: String] = ProcessInfo.processInfo.environment, ownsStore: Bool = false
    ) {
        self.configuration = configuration
        self.sqs = sqs
        self.queue = queue
        self.s3 = s3
        self.store = store
        self.ownsStore = ownsStore
        self.pipeline = pipeline ?? Self.standardPipeline(configuration, logger: logger)
        self.metrics = metrics
        self.logger = logger
        self.notifier = SystemdNotifier(environment: environment)
        self.slots = JobSlots(capacity: configuration.concurrency)
        self.liveness = PollLiveness(slack: configuration.pollLivenessTimeout)
        state.withLock { $0.settings = queueSettings }
    }

    /// The standard handlers with the configuration's FFmpeg paths, threads and duration limit.
    public static func standardPipeline(_ configuration: ConsumerConfiguration, logger: Logger) -> MediaJobPipeline {
        let ffmpeg = FFmpegConfiguration(
            ffmpegPath: configuration.ffmpegPath, ffprobePath: configuration.ffprobePath,
            threads: configuration.ffmpegThreads, maximumDecodedPixels: configuration.maximumVideoPixels,
            sandbox: configuration.ffmpegSandbox.resolve(logger: logger),
            maximumStreams: configuration.mediaLimits.maximumStreams)
        var limits = configuration.mediaLimits
        limits.maximumDuration = configuration.maximumVideoDuration
        limits.maximumPixels = configuration.maximumVideoPixels
        let transcriber = WhisperTranscriber(
            pythonPath: configuration.whisperPython, modelPath: configuration.whisperModel, threads: configuration.whisperThreads,
            sandbox: ffmpeg.sandbox, logger: logger)
        var pipeline = MediaJobPipeline(
            registry: .standard, runner: FFmpegRunner(configuration: ffmpeg, logger: logger),
            probe: MediaProbe(configuration: ffmpeg, limits: limits, logger: logger),
            encodesOnce: configuration.encodesOnce, transcriber: transcriber, logger: logger)
        pipeline.availableCodecs = ToolOutput.run(ffmpeg.ffmpegPath, ["-hide_banner", "-encoders"]).map(VideoCodec.available(inEncoderList:))
        return pipeline
    }

    /// The poll loop's liveness and the jobs in flight.
    public var status: Status {
        let (_, waitingFor, stopping, _) = state.withLock { $0 }
        return Status(lastPoll: liveness.lastRound, inFlight: slots.running, stopping: stopping, waitingFor: waitingFor)
    }

    /// Whether the poll loop is within the wait it announced last (plus ``ConsumerConfiguration/pollLivenessTimeout``):
    /// what `/readyz` and the systemd watchdog check.
    public var isPollLoopAlive: Bool {
        liveness.isAlive()
    }

    /// The redrive limit and DLQ, read from the queue's attributes on first use.
    public func queueSettings() async throws -> QueueSettings {
        if let settings = state.withLock({ $0.settings }) { return settings }
        let settings = try await QueueSettings.resolve(
            sqs: sqs, queueURL: configuration.queueURL,
            configuredDLQ: configuration.deadLetterQueueURL,
            configuredMaximum: configuration.maximumReceiveCount)
        state.withLock { $0.settings = settings }
        logger.info(
            "queue settings",
            metadata: [
                "max_receive_count": "\(settings.maximumReceiveCount.map(String.init) ?? "none")",
                "dlq": "\(settings.deadLetterQueueURL ?? "none")",
            ])
        return settings
    }

    private func makeHandler(_ settings: QueueSettings, heartbeat: VisibilityHeartbeat) -> MessageHandler {
        MessageHandler(
            configuration: configuration, queueSettings: settings, queue: queue, store: store,
            work: MediaJobWork(configuration: configuration, storage: s3, store: store, pipeline: pipeline, metrics: metrics),
            heartbeat: heartbeat, activeJobs: activeJobs, metrics: metrics,
            backoff: RedeliveryBackoff(base: configuration.retryBaseDelay, maximum: configuration.retryMaximumDelay),
            deleter: MessageDeleter(sqs: queue, queueURL: configuration.queueURL, callTimeout: configuration.sqsCallTimeout),
            logger: logger)
    }

    /// Sends the deletions still waiting for their batch and waits for their answers (bounded: each is one call).
    private func flushDeletions(_ handler: MessageHandler) async {
        await uncancellable { await handler.deleter.flush() }
    }

    private func makeHeartbeat() -> VisibilityHeartbeat {
        VisibilityHeartbeat(
            sqs: queue, queueURL: configuration.queueURL, visibilityTimeout: configuration.visibilityTimeout,
            interval: configuration.heartbeatInterval, callTimeout: configuration.sqsCallTimeout, metrics: metrics, logger: logger)
    }

    // MARK: Service

    /// Runs until a graceful shutdown (then drains) or cancellation (then hands every job back at once).
    ///
    /// It reports `READY=1` at once and then waits for its dependencies (the database's migrations, the queue's
    /// attributes), retrying with backoff while `/readyz` and `STATUS=` say what it waits for; the watchdog is
    /// fed throughout. Only a bad setting ends it with an error — among them a call timeout that does not fit the
    /// systemd watchdog; a long-poll wait that does not fit is shortened (``PollLiveness/waitTime(configured:callTimeout:watchdog:)``).
    public func run() async throws {
        let waitTime = try pollWaitTime()
        notifier.ready(status: "starting, \(configuration.concurrency) job slots")
        try await withThrowingTaskGroup(of: Void.self) { group in
            if notifier.isEnabled { group.addTask { await self.feedWatchdog() } }
            defer { group.cancelAll() }
            guard let settings = try await waitForDependencies() else {
                logger.info("consumer stopped while waiting for its dependencies")
                notifier.stopping()
                return
            }
            await runLoop(settings, waitTime: waitTime)
        }
    }

    /// The long-poll wait that fits the systemd watchdog, logged when it had to be shortened.
    private func pollWaitTime() throws -> Int {
        let (seconds, clamped) = try PollLiveness.waitTime(
            configured: configuration.waitTimeSeconds, callTimeout: configuration.sqsCallTimeout,
            watchdog: notifier.watchdogInterval)
        if clamped {
            logger.warning(
                """
                VIDEOQUEUE_WAIT_TIME + VIDEOQUEUE_SQS_CALL_TIMEOUT pass half the systemd watchdog interval (WatchdogSec):                 the long poll waits less
                """,
                metadata: [
                    "configured_wait_seconds": "\(configuration.waitTimeSeconds)", "wait_seconds": "\(seconds)",
                    "sqs_call_timeout": "\(configuration.sqsCallTimeout)", "watchdog": "\(notifier.watchdogInterval.map { "\($0)" } ?? "none")",
                ])
        }
        return seconds
    }

    private func runLoop(_ settings: QueueSettings, waitTime: Int) async {
        let heartbeat = makeHeartbeat()
        let handler = makeHandler(settings, heartbeat: heartbeat)
        logger.info("consumer started", metadata: ["queue": "\(configuration.queueURL)", "concurrency": "\(configuration.concurrency)"])
        notifier.status("idle, \(configuration.concurrency) job slots")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await heartbeat.run() }
            await withTaskGroup(of: Void.self) { watchers in
                if let watcher = makeDeadLetterWatcher(settings) { watchers.addTask { await watcher.run() } }
                await withDiscardingTaskGroup { jobs in
                    await pollLoop(jobs: &jobs, handler: handler, waitTime: waitTime)
                    state.withLock { $0.stopping = true }
                    let running = slots.running
                    // The drain (and the flush after it) is the loop's last bounded wait: the watchdog stays fed.
                    liveness.expect(within: drainLimit + Self.handBackAllowance)
                    notifier.stopping()
                    notifier.status("stopping, draining \(running) jobs")
                    logger.info(
                        "receive loop stopped; draining",
                        metadata: [
                            "in_flight": "\(running)",
                            "drain_timeout": "\(drainLimit)",
                        ])
                    await drain()
                }
                await flushDeletions(handler)
                // The dead-letter watcher ends by itself on a graceful shutdown, what its last receive brought handed back
                // (bounded like the poll loop's receive): awaited, not cancelled.
                await watchers.waitForAll()
            }
            group.cancelAll()
        }
        metrics.inFlight(0)
        logger.info("consumer stopped")
    }

    /// What the loop allows itself beyond the drain timeout to hand jobs back and send the last deletions.
    static let handBackAllowance: Duration = .seconds(30)

    /// The longest a receive of the poll loop may take: the long poll's wait (as configured; it may be shortened to fit
    /// the systemd watchdog) plus the per-call timeout. A graceful shutdown waits for the receive in flight, so this
    /// is also how long it may delay the drain.
    var receiveLimit: Duration {
        .seconds(configuration.waitTimeSeconds) + configuration.sqsCallTimeout
    }

    private func pollLoop(jobs: inout DiscardingTaskGroup, handler: MessageHandler, waitTime: Int) async {
        var failures = 0
        let receiveLimit = Duration.seconds(waitTime) + configuration.sqsCallTimeout
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            markAlive(expectingBackWithin: .zero)
            notifyStatus()
            guard slots.free > 0 else {
                // Bounded so the loop goes round (and proves it is alive) even while every slot is busy for a long job.
                markAlive(expectingBackWithin: Self.busyWait)
                await waitForFreeSlots(1, atMost: Self.busyWait)
                continue
            }
            if slots.free < min(10, slots.capacity), slots.running > 0 {
                // A receive for one message costs the same round trip as one for ten: when jobs are finishing, give
                // the others a moment to free their slots too, so receives stay batched.
                await waitForFreeSlots(min(10, slots.capacity), atMost: Self.receiveBatchWindow)
            }
            let count = min(10, slots.free)
            let messages: [SQSMessage]
            do {
                markAlive(expectingBackWithin: receiveLimit)
                // Not cancelled by a graceful shutdown: SQS counts the receive of whatever it hands to a poll, cancelled or
                // not, and keeps it invisible for the visibility timeout. The poll ends by itself within the limit and
                // what it brought after the shutdown began is handed back below.
                messages = try await withTimeout(receiveLimit, operation: "ReceiveMessage") { [queue, configuration] in
                    try await queue.receive(
                        from: configuration.queueURL, maximumMessages: count, waitTime: waitTime,
                        visibilityTimeout: configuration.visibilityTimeout)
                }
                failures = 0
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                failures += 1
                metrics.receiveError()
                let delay = Backoff(base: .milliseconds(250), cap: .seconds(30)).delay(afterAttempt: failures)
                logger.warning("receive failed", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                markAlive(expectingBackWithin: delay)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                continue
            }
            if messages.isEmpty {
                metrics.emptyReceive()
                continue
            }
            if Task.isShuttingDownGracefully || Task.isCancelled {
                // Received after the shutdown began: hand them straight back, never run.
                markAlive(expectingBackWithin: configuration.sqsCallTimeout)
                let handedBack = await queue.handBack(messages, in: configuration.queueURL, callTimeout: configuration.sqsCallTimeout)
                logger.info(
                    "messages received as the shutdown began handed back",
                    metadata: [
                        "count": "\(messages.count)", "confirmed": "\(handedBack)",
                    ])
                break
            }
            for message in messages {
                slots.acquire()
                metrics.inFlight(slots.running)
                jobs.addTask { [slots, metrics, handler] in
                    _ = await handler.handle(message)
                    slots.release()
                    metrics.inFlight(slots.running)
                }
            }
            notifyStatus()
        }
    }

    /// How long the loop waits for a slot when all are busy before going round again.
    static let busyWait: Duration = .seconds(5)

    /// The loop went round and is about to wait at most `duration` (see ``PollLiveness``).
    func markAlive(expectingBackWithin duration: Duration) {
        liveness.expect(within: duration)
    }

    private func notifyStatus() {
        guard notifier.isEnabled else { return }
        notifier.status("\(slots.running) of \(configuration.concurrency) job slots busy")
    }

    /// How long the receive loop waits for more slots to free up when only some are free and jobs are running:
    /// short against a job, long against a burst of jobs that finish together.
    static let receiveBatchWindow: Duration = .milliseconds(10)

    /// Returns when `count` slots are free, after `limit`, or when a graceful shutdown starts.
    private func waitForFreeSlots(_ count: Int, atMost limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [slots] in await slots.waitForFreeSlots(count) }
            group.addTask { try? await Task.sleep(for: limit) }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Shortens the coming drain to `budget` from now when that is less than ``ConsumerConfiguration/drainTimeout``
    /// (a Spot interruption leaves two minutes); `nil` keeps the drain timeout. Call it before the graceful shutdown.
    public func prepareToDrain(within budget: Duration?) {
        guard let budget else { return }
        let deadline = ContinuousClock.now + budget
        state.withLock { $0.drainDeadline = min($0.drainDeadline ?? deadline, deadline) }
    }

    /// How long the drain may wait for running jobs: the drain timeout, or less when ``prepareToDrain(within:)`` said so.
    var drainLimit: Duration {
        let timeout = configuration.drainTimeout
        guard let deadline = state.withLock({ $0.drainDeadline }) else { return timeout }
        return max(.zero, min(timeout, deadline - ContinuousClock.now))
    }

    /// Waits for the running jobs up to the drain limit, then hands the rest back.
    private func drain() async {
        let limit = drainLimit
        let drained = await withTaskGroup(of: Bool.self) { group in
            group.addTask { [slots] in
                await slots.waitUntilIdle()
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !drained {
            logger.warning("drain timeout reached: handing the remaining jobs back", metadata: ["jobs": "\(activeJobs.count)"])
            activeJobs.abortAll(.shutdown)
        }
    }

    // MARK: One message

    /// Receives at most one message (waiting up to `waitTime` seconds, default the configuration's) and handles
    /// it to its end. `nil` when the queue had nothing.
    /// Unlike ``run()`` it does not wait for its dependencies: an unreachable database or queue throws.
    public func runOnce(waitTime: Int? = nil) async throws -> JobOutcome? {
        try await store.migrate()
        let settings = try await queueSettings()
        try FileManager.default.createDirectory(atPath: configuration.scratchDirectory, withIntermediateDirectories: true)
        let heartbeat = makeHeartbeat()
        let handler = makeHandler(settings, heartbeat: heartbeat)
        markAlive(expectingBackWithin: .seconds(20))
        let messages = try await queue.receive(
            from: configuration.queueURL, maximumMessages: 1,
            waitTime: min(20, max(0, waitTime ?? configuration.waitTimeSeconds)),
            visibilityTimeout: configuration.visibilityTimeout)
        guard let message = messages.first else {
            metrics.emptyReceive()
            return nil
        }
        slots.acquire()
        defer { slots.release() }
        return await withTaskGroup(of: JobOutcome?.self) { group in
            group.addTask {
                await heartbeat.run()
                return nil
            }
            let outcome = await handler.handle(message)
            await flushDeletions(handler)
            group.cancelAll()
            return outcome
        }
    }
}
