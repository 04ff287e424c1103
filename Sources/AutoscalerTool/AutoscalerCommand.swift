import AWSClientRuntime
import AWSQuery
import ArgumentParser
import Autoscaler
import Foundation
import Logging
import SQSClient
import ServiceSupport
import VideoCore

/// `videoqueue-autoscaler`: sizes the consumer fleet from the queue's backlog.
@main
struct AutoscalerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "videoqueue-autoscaler",
        abstract: "Size the VideoQueue consumer fleet from the SQS backlog.",
        discussion: """
            desired = clamp(max(⌈(visible + delayed) ÷ (latency ÷ processing time × jobs per instance)⌉,
                                ⌈in flight ÷ jobs per instance⌉), min, max)

            Modes (combinable; at least one):
              --local       start/stop videoqueue-consumer@N through systemctl; only instances whose /metrics
                            say 0 jobs in flight are stopped (highest numbers first), after the scale-in cooldown.
              --cloudwatch  PutMetricData of BacklogPerInstance and the raw counts, for an EC2 Auto Scaling
                            target-tracking policy (docs/deployment.md).
              --dry-run     print the decision and why; change nothing.

            Every option falls back to its environment variable (in brackets), then to the default. AWS settings
            come from AWS_REGION, AWS_ENDPOINT_URL(_SQS/_CLOUDWATCH/_AUTO_SCALING) and the credential chain
            (on EC2: the instance role through IMDSv2). Durations: 300, 30s, 5m, 1h.

            Exit status: 0 done, 1 a round failed (with --once), 78 bad configuration.
            """,
        version: VideoQueueVersion.current
    )

    @Flag(help: "Start/stop videoqueue-consumer@N on this host through systemctl.")
    var local = false
    @Flag(name: .customLong("cloudwatch"), help: "Publish BacklogPerInstance and the queue counts to CloudWatch.")
    var cloudWatch = false
    @Flag(name: .customLong("dry-run"), help: "Print the decision and why; start, stop and publish nothing.")
    var dryRun = false
    @Flag(help: "Run one round and exit (default: a round every --interval).")
    var once = false

    @Option(name: .customLong("queue-url"), help: "The jobs queue [VIDEOQUEUE_QUEUE_URL].")
    var queueURL: String?
    @Option(help: "Fewest consumers [VIDEOQUEUE_AUTOSCALER_MIN; default 1].")
    var min: Int?
    @Option(help: "Most consumers [VIDEOQUEUE_AUTOSCALER_MAX; default 10].")
    var max: Int?
    @Option(help: "Acceptable wait before a job starts [VIDEOQUEUE_AUTOSCALER_LATENCY; default 5m].")
    var latency: String?
    @Option(name: .customLong("processing-time"), help: "Job time when the metrics give none [VIDEOQUEUE_AUTOSCALER_PROCESSING_TIME; default 60s].")
    var processingTime: String?
    @Option(name: .customLong("jobs-per-instance"), help: "Jobs one consumer runs at once [VIDEOQUEUE_AUTOSCALER_JOBS_PER_INSTANCE; default 1].")
    var jobsPerInstance: Int?
    @Option(
        name: .customLong("scale-in-cooldown"),
        help: "Wait after a scaling action before stopping instances [VIDEOQUEUE_AUTOSCALER_SCALE_IN_COOLDOWN; default 5m].")
    var scaleInCooldown: String?
    @Option(help: "Time between rounds [VIDEOQUEUE_AUTOSCALER_INTERVAL; default 60s].")
    var interval: String?
    @Option(name: .customLong("metrics-url"), help: "A consumer /metrics URL (repeatable) [VIDEOQUEUE_AUTOSCALER_METRICS_URLS, comma-separated].")
    var metricsURLs: [String] = []
    @Option(name: .customLong("metrics-port-base"), help: "Local instance N serves /metrics on this + N [VIDEOQUEUE_HEALTH_PORT_BASE; default 8100].")
    var metricsPortBase: Int?
    @Option(help: "The consumer template without @.service [VIDEOQUEUE_AUTOSCALER_UNIT; default videoqueue-consumer].")
    var unit: String?
    @Option(help: "The CloudWatch namespace [VIDEOQUEUE_AUTOSCALER_NAMESPACE; default VideoQueue].")
    var namespace: String?
    @Option(name: .customLong("asg-name"), help: "The consumers' Auto Scaling group: its InService count divides the backlog [VIDEOQUEUE_AUTOSCALER_ASG_NAME].")
    var autoScalingGroup: String?
    @Option(help: "A fixed consumer count when there are no local units and no group [VIDEOQUEUE_AUTOSCALER_INSTANCES].")
    var instances: Int?
    @Option(name: .customLong("state-file"), help: "Remembers the last scaling action across --once runs [VIDEOQUEUE_AUTOSCALER_STATE_FILE].")
    var stateFile: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error [LOG_LEVEL; default info].")
    var logLevel: String?

    func run() async throws {
        let settings = try Settings.load(flags: flags)
        let environment = settings.environment
        let logger = ServiceLogging.bootstrap(label: "videoqueue.autoscaler", level: settings.string("LOG_LEVEL"))

        let service: AutoscalerService
        do {
            let configuration = try makeConfiguration(settings: settings)
            let sqs = SQSClient(configuration: try AWSClientConfiguration(service: .sqs, environment: environment))
            let cloudWatch =
                configuration.cloudWatch
                ? CloudWatchClient(configuration: try AWSClientConfiguration(service: .cloudWatch, environment: environment)) : nil
            let autoScaling =
                configuration.autoScalingGroup != nil
                ? AutoScalingGroupClient(configuration: try AWSClientConfiguration(service: AutoScalingGroupClient.service, environment: environment))
                : nil
            let systemctl =
                configuration.local
                ? SystemctlController(unitPrefix: configuration.unitPrefix, environment: environment) : nil
            service = try AutoscalerService(
                configuration: configuration, sqs: sqs, cloudWatch: cloudWatch, autoScaling: autoScaling,
                systemctl: systemctl, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("videoqueue-autoscaler: \(error)\n".utf8))
            throw ExitCode(78)
        }

        if once {
            do {
                print(try await service.runOnce())
            } catch {
                FileHandle.standardError.write(Data("videoqueue-autoscaler: \(error)\n".utf8))
                throw ExitCode.failure
            }
            return
        }
        try await service.run { round in
            print(round)
            print("")
        }
    }

    /// The options that stand for variables (``Settings`` reads them over the environment).
    var flags: [Settings.Flag] {
        [
            .init("--queue-url", "VIDEOQUEUE_QUEUE_URL", queueURL),
            .init("--min", "VIDEOQUEUE_AUTOSCALER_MIN", min),
            .init("--max", "VIDEOQUEUE_AUTOSCALER_MAX", max),
            .init("--latency", "VIDEOQUEUE_AUTOSCALER_LATENCY", latency),
            .init("--processing-time", "VIDEOQUEUE_AUTOSCALER_PROCESSING_TIME", processingTime),
            .init("--jobs-per-instance", "VIDEOQUEUE_AUTOSCALER_JOBS_PER_INSTANCE", jobsPerInstance),
            .init("--scale-in-cooldown", "VIDEOQUEUE_AUTOSCALER_SCALE_IN_COOLDOWN", scaleInCooldown),
            .init("--interval", "VIDEOQUEUE_AUTOSCALER_INTERVAL", interval),
            .init("--metrics-url", "VIDEOQUEUE_AUTOSCALER_METRICS_URLS", metricsURLs.isEmpty ? nil : metricsURLs.joined(separator: ",")),
            .init("--metrics-port-base", "VIDEOQUEUE_HEALTH_PORT_BASE", metricsPortBase),
            .init("--unit", "VIDEOQUEUE_AUTOSCALER_UNIT", unit),
            .init("--namespace", "VIDEOQUEUE_AUTOSCALER_NAMESPACE", namespace),
            .init("--asg-name", "VIDEOQUEUE_AUTOSCALER_ASG_NAME", autoScalingGroup),
            .init("--instances", "VIDEOQUEUE_AUTOSCALER_INSTANCES", instances),
            .init("--state-file", "VIDEOQUEUE_AUTOSCALER_STATE_FILE", stateFile),
            .init("--log-level", "LOG_LEVEL", logLevel),
        ]
    }

    /// The configuration of `settings` with the modes chosen, validated.
    func makeConfiguration(settings: Settings) throws -> AutoscalerConfiguration {
        var configuration = try AutoscalerConfiguration(settings: settings)
        configuration.local = local
        configuration.cloudWatch = cloudWatch
        configuration.dryRun = dryRun
        configuration.once = once
        try configuration.validate()
        return configuration
    }
}
