/// The `# HELP` text of every metric the services export (swift-metrics has no place for it): ``PrometheusMetrics``
/// puts each before its `# TYPE` line. `ops/check` fails when a metric in the code has none here.
enum MetricHelp {
    static let texts: [String: String] = [
        "http_server_requests_total": "HTTP requests answered, by method, route template and status.",
        "http_server_request_duration_seconds": "Time to answer an HTTP request, by method and route template.",
        "videoqueue_queue_messages": "Messages in the SQS queues (jobs, dead_letter) by state, read at each scrape.",
        "videoqueue_producer_outbox_depth": "Accepted uploads whose queue message is not sent yet.",
        "videoqueue_producer_messages_sent_total": "Queue messages the outbox sent.",
        "videoqueue_producer_message_send_failures_total": "Queue messages the outbox failed to send (retried).",
        "videoqueue_producer_orphans_removed_total": "Source objects without a record removed by the orphan sweeper.",
        "videoqueue_producer_videos_expired_total": "Finished videos deleted with their files by the retention sweeper.",
        "videoqueue_producer_upload_bytes_total": "Bytes of uploads stored.",
        "videoqueue_producer_upload_duration_seconds": "Time to receive and store an upload.",
        "videoqueue_producer_uploads_rejected_total": "Uploads refused, by reason.",
        "videoqueue_consumer_ready": "1 when the consumer's poll loop runs and waits for no dependency.",
        "videoqueue_consumer_jobs_in_flight": "Jobs running now.",
        "videoqueue_consumer_jobs_total": "Jobs finished, by job type and outcome.",
        "videoqueue_consumer_messages_resent_total": "Messages sent again as fresh ones (a transient failure on a last allowed receive).",
        "videoqueue_consumer_job_duration_seconds": "Time from receiving a message to settling it, by outcome.",
        "videoqueue_consumer_stage_duration_seconds": "Time of each stage of a job (download, probe, encode, upload).",
        "videoqueue_consumer_message_age_seconds": "Age of a message when a consumer received it.",
        "videoqueue_consumer_receive_errors_total": "Failed SQS receives.",
        "videoqueue_consumer_empty_receives_total": "Long polls that returned no message.",
        "videoqueue_consumer_visibility_extensions_total": "Visibility extensions by result (extended, stale, error, readopted).",
        "videoqueue_consumer_duplicates_total": "Messages of a video another attempt already handles or handled.",
        "videoqueue_consumer_dead_letters_total": "Messages moved to the dead-letter queue or found there.",
        "videoqueue_consumer_dead_letter_check_errors_total": "Failed checks of the dead-letter queue.",
        "videoqueue_consumer_ffmpeg_exits_total": "FFmpeg runs that ended, by exit status.",
    ]

    /// `exposition` with a `# HELP` line before every `# TYPE` line that has none.
    static func annotate(_ exposition: String) -> String {
        var output: [Substring] = []
        var previous: Substring = ""
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), !previous.hasPrefix("# HELP ") {
                let name = line.dropFirst("# TYPE ".count).split(separator: " ").first.map(String.init) ?? ""
                output.append(Substring("# HELP \(name) \(texts[name] ?? name.replacingOccurrences(of: "_", with: " "))"))
            }
            output.append(line)
            previous = line
        }
        return output.joined(separator: "\n")
    }
}
