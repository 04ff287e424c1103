import Metrics

/// The consumer's metrics, through swift-metrics (rendered by the Prometheus backend on `/metrics` once
/// the executable bootstraps it; no-ops otherwise).
///
/// | name | type | labels |
/// | --- | --- | --- |
/// | `videoqueue_consumer_jobs_total` | counter | `type`, `outcome` |
/// | `videoqueue_consumer_job_duration_seconds` | histogram | `outcome` |
/// | `videoqueue_consumer_stage_duration_seconds` | histogram | `stage` |
/// | `videoqueue_consumer_jobs_in_flight` | gauge | |
/// | `videoqueue_consumer_empty_receives_total` | counter | |
/// | `videoqueue_consumer_receive_errors_total` | counter | |
/// | `videoqueue_consumer_message_age_seconds` | histogram | |
/// | `videoqueue_consumer_visibility_extensions_total` | counter | `result` (`extended`, `stale`, `error`) |
/// | `videoqueue_consumer_ffmpeg_exits_total` | counter | `code` |
/// | `videoqueue_consumer_dead_letters_total` | counter | `result` (what the dead-letter watcher did with a DLQ message: `failed`, `resent`, `newer_message`, `finished`, `no_record`, `changed`, `undecodable`, `poison`) |
/// | `videoqueue_consumer_dead_letter_check_errors_total` | counter | |
/// | `videoqueue_consumer_duplicates_total` | counter | (messages of a running record left invisible, see ``ClaimDecision``) |
/// | `videoqueue_consumer_messages_resent_total` | counter | (messages sent again after a transient failure on their last allowed receive, see ``JobSettlement``) |
public struct ConsumerMetrics: Sendable {
    /// Metrics recorded through the process's swift-metrics backend.
    public init() {}

    func job(types: [String], outcome: JobOutcome, seconds: Double) {
        for type in types.isEmpty ? ["none"] : types {
            Counter(label: "videoqueue_consumer_jobs_total", dimensions: [("type", type), ("outcome", outcome.rawValue)]).increment()
        }
        Metrics.Timer(
            label: "videoqueue_consumer_job_duration_seconds", dimensions: [("outcome", outcome.rawValue)],
            preferredDisplayUnit: .seconds
        )
        .recordNanoseconds(Int64(seconds * 1e9))
    }

    func stage(_ stage: String, seconds: Double) {
        Metrics.Timer(label: "videoqueue_consumer_stage_duration_seconds", dimensions: [("stage", stage)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    func inFlight(_ count: Int) {
        Gauge(label: "videoqueue_consumer_jobs_in_flight").record(count)
    }

    func emptyReceive() {
        Counter(label: "videoqueue_consumer_empty_receives_total").increment()
    }

    func receiveError() {
        Counter(label: "videoqueue_consumer_receive_errors_total").increment()
    }

    func messageAge(seconds: Double) {
        Metrics.Timer(label: "videoqueue_consumer_message_age_seconds", preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    func visibilityExtension(_ result: String, count: Int = 1) {
        Counter(label: "videoqueue_consumer_visibility_extensions_total", dimensions: [("result", result)]).increment(by: count)
    }

    func deadLetter(_ result: String) {
        Counter(label: "videoqueue_consumer_dead_letters_total", dimensions: [("result", result)]).increment()
    }

    func deadLetterCheckError() {
        Counter(label: "videoqueue_consumer_dead_letter_check_errors_total").increment()
    }

    func duplicate() {
        Counter(label: "videoqueue_consumer_duplicates_total").increment()
    }

    func resent() {
        Counter(label: "videoqueue_consumer_messages_resent_total").increment()
    }

    func ffmpegExit(_ code: Int32) {
        Counter(label: "videoqueue_consumer_ffmpeg_exits_total", dimensions: [("code", String(code))]).increment()
    }
}
