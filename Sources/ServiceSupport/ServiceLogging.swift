import Foundation
import Logging

/// The executables' logging: swift-log to standard error with structured metadata, at `LOG_LEVEL`, in `LOG_FORMAT`.
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `LOG_LEVEL` | `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical` | `info` |
/// | `LOG_FORMAT` | `text` (syslog priorities under journald) or `json` (one object per line, the same keys) | `text` |
public enum ServiceLogging {
    /// Bootstraps swift-log (once per process) at `level` (`trace` … `critical`; `info` when nil or unknown) in the
    /// format `LOG_FORMAT` names (`text`, the default, or `json`) and returns a logger labelled `label` at that level.
    /// Text lines carry syslog priorities when standard error is journald's (`JOURNAL_STREAM`).
    public static func bootstrap(
        label: String, level: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Logger {
        let parsed = level.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let format = environment["LOG_FORMAT"].flatMap { LogFormat(rawValue: $0.lowercased()) } ?? .text
        let journald = environment["JOURNAL_STREAM"].map { !$0.isEmpty } ?? false
        LoggingSystem.bootstrap { label in
            ServiceLogHandler(label: label, level: parsed, format: format, syslogPriorities: journald)
        }
        var logger = Logger(label: label)
        logger.logLevel = parsed
        return logger
    }
}
