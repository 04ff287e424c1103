import Foundation
import ServiceSupport

/// Everything the autoscaler needs, with defaults; ``init(settings:)`` reads it from the settings (the
/// `videoqueue-autoscaler` flags over the environment), then ``validate()`` checks the whole.
/// Durations are seconds (`300`) or a number with a unit (`500ms`, `30s`, `5m`, `1h`).
///
/// | variable | field | default |
/// | --- | --- | --- |
/// | `VIDEOQUEUE_QUEUE_URL` | ``queueURL`` | required |
/// | `VIDEOQUEUE_AUTOSCALER_MIN`, `VIDEOQUEUE_AUTOSCALER_MAX` | ``policy`` bounds | 1, 10 |
/// | `VIDEOQUEUE_AUTOSCALER_LATENCY` | acceptable latency | 5m |
/// | `VIDEOQUEUE_AUTOSCALER_PROCESSING_TIME` | processing time when none is measured | 60s |
/// | `VIDEOQUEUE_AUTOSCALER_JOBS_PER_INSTANCE` | jobs one consumer runs at once | 1 |
/// | `VIDEOQUEUE_AUTOSCALER_SCALE_IN_COOLDOWN` | scale-in cooldown | 5m |
/// | `VIDEOQUEUE_AUTOSCALER_INTERVAL` | ``interval`` | 60s |
/// | `VIDEOQUEUE_AUTOSCALER_METRICS_URLS` | ``metricsURLs`` (comma-separated) | none |
/// | `VIDEOQUEUE_AUTOSCALER_METRICS_HOST` | ``metricsHost`` | `127.0.0.1` |
/// | `VIDEOQUEUE_HEALTH_PORT_BASE` | ``metricsPortBase`` | 8100 |
/// | `VIDEOQUEUE_AUTOSCALER_UNIT` | ``unitPrefix`` | `videoqueue-consumer` |
/// | `VIDEOQUEUE_AUTOSCALER_NAMESPACE` | ``namespace`` | `VideoQueue` |
/// | `VIDEOQUEUE_AUTOSCALER_ASG_NAME` | ``autoScalingGroup`` | none |
/// | `VIDEOQUEUE_AUTOSCALER_INSTANCES` | ``instanceCount`` | none |
/// | `VIDEOQUEUE_AUTOSCALER_STATE_FILE` | ``stateFile`` | none |
public struct AutoscalerConfiguration: Sendable {
    /// Start and stop `videoqueue-consumer@N` on this host through `systemctl`.
    public var local: Bool = false
    /// Publish `BacklogPerInstance` and the raw counts to CloudWatch.
    public var cloudWatch: Bool = false
    /// Decide and print, change nothing (no `systemctl start/stop`, no `PutMetricData`).
    public var dryRun: Bool = false
    /// One round, then exit.
    public var once: Bool = false
    /// The jobs queue.
    public var queueURL: String
    /// The decision's rules.
    public var policy = ScalingPolicy()
    /// Time between rounds.
    public var interval: Duration = .seconds(60)
    /// Extra consumer `/metrics` URLs (other hosts); in the local mode each instance's own URL is added.
    public var metricsURLs: [String] = []
    /// The host of the local instances' metrics endpoints.
    public var metricsHost: String = "127.0.0.1"
    /// Instance `N` serves `/metrics` on `metricsPortBase + N` (the units' `VIDEOQUEUE_HEALTH_PORT_BASE`).
    public var metricsPortBase: Int = 8100
    /// The consumer template's name without `@.service`.
    public var unitPrefix: String = "videoqueue-consumer"
    /// The CloudWatch namespace.
    public var namespace: String = "VideoQueue"
    /// The EC2 Auto Scaling group whose `InService` instances are the consumers (CloudWatch mode).
    public var autoScalingGroup: String?
    /// A fixed consumer count when neither the local units nor a group give one.
    public var instanceCount: Int?
    /// Where the time of the last scaling action is kept across `--once` runs (the cooldown).
    public var stateFile: String?

    /// A configuration with every default.
    public init(queueURL: String) {
        self.queueURL = queueURL
    }

    /// Reads the variables in the table above.
    /// - Throws: `ConfigurationError` naming the variable or flag.
    public init(settings: Settings = Settings()) throws(ConfigurationError) {
        self.init(queueURL: settings.string("VIDEOQUEUE_QUEUE_URL") ?? "")
        policy.minimumInstances = try settings.int("VIDEOQUEUE_AUTOSCALER_MIN", default: policy.minimumInstances, in: 0...10_000)
        policy.maximumInstances = try settings.int("VIDEOQUEUE_AUTOSCALER_MAX", default: policy.maximumInstances, in: 1...10_000)
        policy.acceptableLatency = try settings.duration("VIDEOQUEUE_AUTOSCALER_LATENCY", default: policy.acceptableLatency)
        policy.defaultProcessingTime = try settings.duration("VIDEOQUEUE_AUTOSCALER_PROCESSING_TIME", default: policy.defaultProcessingTime)
        policy.jobsPerInstance = try settings.int("VIDEOQUEUE_AUTOSCALER_JOBS_PER_INSTANCE", default: policy.jobsPerInstance, in: 1...256)
        policy.scaleInCooldown = try settings.duration("VIDEOQUEUE_AUTOSCALER_SCALE_IN_COOLDOWN", default: policy.scaleInCooldown)
        interval = try settings.duration("VIDEOQUEUE_AUTOSCALER_INTERVAL", default: interval)
        if let urls = settings.string("VIDEOQUEUE_AUTOSCALER_METRICS_URLS") { metricsURLs = Self.list(urls) }
        metricsHost = settings.string("VIDEOQUEUE_AUTOSCALER_METRICS_HOST", default: metricsHost)
        metricsPortBase = try settings.int("VIDEOQUEUE_HEALTH_PORT_BASE", default: metricsPortBase, in: 1...65_000)
        unitPrefix = settings.string("VIDEOQUEUE_AUTOSCALER_UNIT", default: unitPrefix)
        namespace = settings.string("VIDEOQUEUE_AUTOSCALER_NAMESPACE", default: namespace)
        autoScalingGroup = settings.string("VIDEOQUEUE_AUTOSCALER_ASG_NAME")
        instanceCount = try settings.int("VIDEOQUEUE_AUTOSCALER_INSTANCES", in: 0...10_000)
        stateFile = settings.string("VIDEOQUEUE_AUTOSCALER_STATE_FILE")
    }

    /// Checks the settings together.
    /// - Throws: `ConfigurationError` naming the setting.
    public func validate() throws(ConfigurationError) {
        guard local || cloudWatch || dryRun else {
            throw ConfigurationError(setting: "--local/--cloudwatch/--dry-run", message: "choose at least one mode")
        }
        guard !queueURL.isEmpty else { throw ConfigurationError(setting: "VIDEOQUEUE_QUEUE_URL", message: "must be set (the jobs queue URL)") }
        guard let url = URL(string: queueURL), url.host != nil, !url.lastPathComponent.isEmpty, url.lastPathComponent != "/" else {
            throw ConfigurationError(setting: "VIDEOQUEUE_QUEUE_URL", message: "'\(queueURL)' is not a queue URL")
        }
        do {
            try policy.validate()
        } catch {
            throw ConfigurationError(setting: "policy", message: error.message)
        }
        guard interval >= .seconds(1) else { throw ConfigurationError(setting: "--interval", message: "must be at least 1 second") }
        for url in metricsURLs where URL(string: url)?.host == nil {
            throw ConfigurationError(setting: "--metrics-url", message: "'\(url)' is not a URL")
        }
        guard !unitPrefix.isEmpty, !unitPrefix.contains("@"), !unitPrefix.contains("/") else {
            throw ConfigurationError(setting: "--unit", message: "'\(unitPrefix)' is not a template name (without @.service)")
        }
        guard !namespace.isEmpty, !namespace.hasPrefix("AWS/") else {
            throw ConfigurationError(setting: "--namespace", message: "must be set and must not start with AWS/")
        }
    }

    /// The queue's name, the `QueueName` dimension of the published metrics.
    public var queueName: String { URL(string: queueURL)?.lastPathComponent ?? queueURL }

    /// The metrics URL of local instance `number`.
    public func metricsURL(instance number: Int) -> String { "http://\(metricsHost):\(metricsPortBase + number)/metrics" }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
