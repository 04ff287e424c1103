import Logging

/// The executables' logging: swift-log to standard error with structured metadata, at `LOG_LEVEL`.
public enum ServiceLogging {
    /// Bootstraps swift-log (once per process) at `level` (`trace` … `critical`; `info` when nil or unknown)
    /// and returns a logger labelled `label` at that level.
    public static func bootstrap(label: String, level: String?) -> Logger {
        let parsed = level.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = parsed
        return logger
    }
}
