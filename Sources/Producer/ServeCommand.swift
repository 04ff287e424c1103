import AWSClientRuntime
import ArgumentParser
import Foundation
import Logging
import ProducerService
import S3Client
import SQSClient
import ServiceLifecycle
import ServiceSupport
import VideoCore
import VideoStore

/// `producer serve`: runs the HTTP service until SIGTERM/SIGINT, then shuts down gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service (configuration from flags, else the environment: see docs/producer.md).")

    @Option(help: "Address to bind (VIDEOQUEUE_HOST).") var host: String?
    @Option(help: "Port to bind (VIDEOQUEUE_PORT).") var port: Int?
    @Option(help: "Bucket for sources and outputs (VIDEOQUEUE_BUCKET).") var bucket: String?
    @Option(name: .customLong("queue-url"), help: "Job queue URL (VIDEOQUEUE_QUEUE_URL).") var queueURL: String?
    @Option(name: .customLong("database-url"), help: "SQLite path or postgres:// URL (DATABASE_URL).") var databaseURL: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (LOG_LEVEL).") var logLevel: String?

    func run() async throws {
        MemoryTuning.apply()
        let settings: Settings
        do {
            settings = try Settings.load(flags: [
                .init("--host", "VIDEOQUEUE_HOST", host), .init("--port", "VIDEOQUEUE_PORT", port), .init("--bucket", "VIDEOQUEUE_BUCKET", bucket),
                .init("--queue-url", "VIDEOQUEUE_QUEUE_URL", queueURL), .init("--database-url", "DATABASE_URL", databaseURL),
                .init("--log-level", "LOG_LEVEL", logLevel),
            ])
        } catch {
            throw ProducerExitCode.exit(for: error, logger: nil)
        }
        let logger = ServiceLogging.bootstrap(label: "videoqueue.producer", level: settings.string("LOG_LEVEL"))
        let configuration: ProducerConfiguration
        let s3Configuration: AWSClientConfiguration
        let sqsConfiguration: AWSClientConfiguration
        let database: DatabaseConfiguration
        do {
            // Without VIDEOQUEUE_CODECS: what this machine's FFmpeg encodes (machines of one image share it).
            let detected =
                settings.string("VIDEOQUEUE_CODECS") == nil
                ? ToolOutput.run("ffmpeg", ["-hide_banner", "-encoders"]).map(VideoCodec.available(inEncoderList:)) : nil
            configuration = try ProducerConfiguration(settings: settings, detectedCodecs: detected)
            s3Configuration = try AWSClientConfiguration(service: .s3, environment: settings.environment)
            sqsConfiguration = try AWSClientConfiguration(service: .sqs, environment: settings.environment)
            database = try DatabaseConfiguration(url: configuration.databaseURL, environment: settings.environment)
            try database.checkLocation()
        } catch {
            throw ProducerExitCode.exit(for: error, logger: logger, isConfigurationError: true)
        }
        let store: any VideoStore
        do {
            // Not connected yet (PostgreSQL connects on first use): the database is awaited below.
            store = try await database.makeStore(logger: logger, environment: settings.environment)
        } catch {
            // SQLite opens its file here: one that cannot be opened (not a database) is no dependency to wait for.
            throw ProducerExitCode.exit(for: error, logger: logger)
        }
        let producer = ProducerApplication(
            configuration: configuration, store: store, s3: S3Client(configuration: s3Configuration),
            sqs: SQSClient(configuration: sqsConfiguration), logger: logger)
        let notifier = SystemdNotifier()
        let app = producer.application { channel in
            logger.info("producer listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            notifier.ready(status: "starting")
        }
        // The server answers at once (/readyz 503 until the database does); the migrations wait for the database.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // The store first: stopped last, after the server and the dispatchers that use it.
                services: [
                    .init(service: VideoStoreService(store: store)), .init(service: app),
                    .init(service: DatabaseStartup(store: store, notifier: notifier, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { notifier.stopping() }
        do {
            try await group.run()
        } catch {
            // What ends the group early is a setting no retry fixes (a bad DATABASE_URL found by the migrations), or
            // the server failing to bind.
            throw ProducerExitCode.exit(for: error, logger: logger)
        }
    }
}
