import ArgumentParser
import ConsumerService
import Foundation
import Logging
import ServiceSupport

/// `consumer run [--once] …`: the daemon, or one message for debugging and scripts.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Long-poll the jobs queue and process videos until SIGTERM/SIGINT (or one message with --once).",
        discussion: """
            Every option falls back to its environment variable (in brackets), then to the default. AWS settings \
            come from AWS_REGION, AWS_ENDPOINT_URL(_SQS/_S3) and the usual credential chain. Durations are seconds \
            (90) or a number with a unit (500ms, 30s, 5m, 1h).

            Exit status with --once: 0 completed, 2 no message, 3 skipped (already done), 4 failed permanently, \
            5 transient failure (the message comes back), 6 moved to the dead-letter queue, 7 cancelled, \
            8 job timeout, 9 another consumer holds it, 10 handed back by a shutdown, 1 start-up or receive failure. \
            Always: 78 bad configuration. Without --once the consumer waits for SQS and the database (not ready \
            meanwhile) instead of exiting.
            """
    )

    @Flag(help: "Handle at most one message, then exit with a status that says what happened.")
    var once = false
    @Option(name: .customLong("queue-url"), help: "The jobs queue [VIDEOQUEUE_QUEUE_URL].")
    var queueURL: String?
    @Option(name: .customLong("dlq-url"), help: "The dead-letter queue [VIDEOQUEUE_DLQ_URL; default: the RedrivePolicy's target].")
    var deadLetterQueueURL: String?
    @Option(help: "The output bucket [VIDEOQUEUE_BUCKET].")
    var bucket: String?
    @Option(name: .customLong("database-url"), help: "SQLite path or postgres:// URL [DATABASE_URL].")
    var databaseURL: String?
    @Option(help: "Jobs at once [VIDEOQUEUE_CONCURRENCY; default: half the cores].")
    var concurrency: Int?
    @Option(
        name: .customLong("job-timeout"),
        help: "Least job timeout; a probed source gets duration × its jobs' factor + the margin [VIDEOQUEUE_JOB_TIMEOUT; default 1h].")
    var jobTimeout: String?
    @Option(name: .customLong("job-timeout-margin"), help: "Added to a probed job's running time [VIDEOQUEUE_JOB_TIMEOUT_MARGIN; default 15m].")
    var jobTimeoutMargin: String?
    @Option(name: .customLong("drain-timeout"), help: "Time running jobs get after SIGTERM [VIDEOQUEUE_DRAIN_TIMEOUT; default 30s].")
    var drainTimeout: String?
    @Option(name: .customLong("visibility-timeout"), help: "Seconds a message stays invisible per heartbeat [VIDEOQUEUE_VISIBILITY_TIMEOUT; default 60].")
    var visibilityTimeout: Int?
    @Option(
        name: .customLong("heartbeat-interval"), help: "Visibility extension period [VIDEOQUEUE_HEARTBEAT_INTERVAL; default a third of the visibility timeout]."
    )
    var heartbeatInterval: String?
    @Option(name: .customLong("wait-time"), help: "Long-poll seconds, 0…20 [VIDEOQUEUE_WAIT_TIME; default 20].")
    var waitTime: Int?
    @Option(name: .customLong("scratch-dir"), help: "Per-job scratch directories go here [VIDEOQUEUE_SCRATCH_DIR].")
    var scratchDirectory: String?
    @Option(name: .customLong("ffmpeg-path"), help: "The ffmpeg executable [VIDEOQUEUE_FFMPEG_PATH; default: on PATH].")
    var ffmpegPath: String?
    @Option(name: .customLong("ffprobe-path"), help: "The ffprobe executable [VIDEOQUEUE_FFPROBE_PATH; default: on PATH].")
    var ffprobePath: String?
    @Option(name: .customLong("ffmpeg-threads"), help: "FFmpeg's -threads [VIDEOQUEUE_FFMPEG_THREADS; default: FFmpeg's choice].")
    var ffmpegThreads: Int?
    @Option(name: .customLong("health-port"), help: "Port of /healthz, /readyz, /metrics; 0 disables [VIDEOQUEUE_HEALTH_PORT; default 8081].")
    var healthPort: Int?
    @Option(name: .customLong("health-host"), help: "Address of the health server [VIDEOQUEUE_HEALTH_HOST; default 0.0.0.0].")
    var healthHost: String?
    @Option(name: .customLong("default-jobs"), help: "Jobs for a record that requests none, comma-separated [VIDEOQUEUE_DEFAULT_JOBS; default transcode].")
    var defaultJobs: String?
    @Option(
        name: .customLong("dlq-check-interval"),
        help: "How often the DLQ is checked for messages whose records never finished; 0 disables [VIDEOQUEUE_DLQ_CHECK_INTERVAL; default 60s].")
    var deadLetterCheckInterval: String?
    @Option(
        name: .customLong("max-attempts"),
        help: "Claims a record may have before a failure or a dead-lettered message fails it; fewer: sent again [VIDEOQUEUE_MAX_ATTEMPTS; default 5].")
    var maximumAttempts: Int?
    @Option(
        name: .customLong("sqs-call-timeout"),
        help: "Longest SQS call of the poll loop, a long poll's wait on top [VIDEOQUEUE_SQS_CALL_TIMEOUT; default 10s].")
    var sqsCallTimeout: String?
    @Option(
        name: .customLong("dependency-retry-max-delay"),
        help: "Longest wait between attempts to reach SQS or the database at start-up [VIDEOQUEUE_DEPENDENCY_RETRY_MAX_DELAY; default 30s].")
    var dependencyRetryMaximumDelay: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical [LOG_LEVEL; default info].")
    var logLevel: String?

    func run() async throws {
        MemoryTuning.apply()
        let settings = try Settings.load(flags: flags)
        let environment = settings.environment
        let logger = ServiceLogging.bootstrap(label: "videoqueue.consumer", level: settings.string("LOG_LEVEL"))
        let configuration: ConsumerConfiguration
        do {
            configuration = try ConsumerConfiguration(settings: settings)
            try configuration.validate()
        } catch {
            logger.critical("bad configuration", metadata: ["error": "\(error)"])
            throw ExitCode(ConsumerExitCode.configuration)
        }

        let consumer: ConsumerService
        do {
            consumer = try await ConsumerService.bootstrap(configuration: configuration, environment: environment, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(ConsumerExitCode.forStartupError(error))
        }

        if once {
            let result: Result<JobOutcome?, any Error>
            do {
                result = .success(try await consumer.runOnceAndClose())
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let outcome):
                print(outcome?.rawValue ?? "no_message")
                throw ExitCode(outcome?.exitCode ?? ConsumerExitCode.noMessage)
            case .failure(let error):
                logger.error("receive failed", metadata: ["error": "\(error)"])
                throw ExitCode(ConsumerExitCode.failure)
            }
        }

        PrometheusMetrics.bootstrap()
        do {
            // Closes the store when it returns.
            try await consumer.runDaemon(environment: environment, logger: logger)
        } catch {
            // The service waits for SQS and the database; what ends it is a setting no retry can fix.
            logger.critical("consumer stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode(ConsumerExitCode.forStartupError(error))
        }
    }

    /// The options that stand for variables (``Settings`` reads them over the environment).
    var flags: [Settings.Flag] {
        [
            .init("--queue-url", "VIDEOQUEUE_QUEUE_URL", queueURL),
            .init("--dlq-url", "VIDEOQUEUE_DLQ_URL", deadLetterQueueURL),
            .init("--bucket", "VIDEOQUEUE_BUCKET", bucket),
            .init("--database-url", "DATABASE_URL", databaseURL),
            .init("--concurrency", "VIDEOQUEUE_CONCURRENCY", concurrency),
            .init("--job-timeout", "VIDEOQUEUE_JOB_TIMEOUT", jobTimeout),
            .init("--job-timeout-margin", "VIDEOQUEUE_JOB_TIMEOUT_MARGIN", jobTimeoutMargin),
            .init("--drain-timeout", "VIDEOQUEUE_DRAIN_TIMEOUT", drainTimeout),
            .init("--visibility-timeout", "VIDEOQUEUE_VISIBILITY_TIMEOUT", visibilityTimeout),
            .init("--heartbeat-interval", "VIDEOQUEUE_HEARTBEAT_INTERVAL", heartbeatInterval),
            .init("--wait-time", "VIDEOQUEUE_WAIT_TIME", waitTime),
            .init("--scratch-dir", "VIDEOQUEUE_SCRATCH_DIR", scratchDirectory),
            .init("--ffmpeg-path", "VIDEOQUEUE_FFMPEG_PATH", ffmpegPath),
            .init("--ffprobe-path", "VIDEOQUEUE_FFPROBE_PATH", ffprobePath),
            .init("--ffmpeg-threads", "VIDEOQUEUE_FFMPEG_THREADS", ffmpegThreads),
            .init("--health-port", "VIDEOQUEUE_HEALTH_PORT", healthPort),
            .init("--health-host", "VIDEOQUEUE_HEALTH_HOST", healthHost),
            .init("--default-jobs", "VIDEOQUEUE_DEFAULT_JOBS", defaultJobs),
            .init("--dlq-check-interval", "VIDEOQUEUE_DLQ_CHECK_INTERVAL", deadLetterCheckInterval),
            .init("--max-attempts", "VIDEOQUEUE_MAX_ATTEMPTS", maximumAttempts),
            .init("--sqs-call-timeout", "VIDEOQUEUE_SQS_CALL_TIMEOUT", sqsCallTimeout),
            .init("--dependency-retry-max-delay", "VIDEOQUEUE_DEPENDENCY_RETRY_MAX_DELAY", dependencyRetryMaximumDelay),
            .init("--log-level", "LOG_LEVEL", logLevel),
        ]
    }
}
