/// How the services write their log lines (`LOG_FORMAT`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// One line per entry: `timestamp level label: key=value … message`; under journald (`JOURNAL_STREAM` set) each
    /// line starts with its syslog priority (`<3>` for errors), so `journalctl -p warning` selects by level.
    case text
    /// One JSON object per line with the same fields: `timestamp`, `level`, `label`, `message`, `source`, and each
    /// metadata key (`video_id`, `request_id`…) at the top level.
    case json
}
