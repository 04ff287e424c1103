import Foundation
import Logging
import Synchronization

/// The services' swift-log handler: ``LogFormat`` lines to standard error (or any sink, for tests).
public struct ServiceLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    /// Whether text lines start with their syslog priority (`<N>`), for journald.
    let syslogPriorities: Bool
    let write: @Sendable (String) -> Void

    /// - Parameter write: receives each line with its newline (default: standard error, one `write` per line).
    public init(
        label: String, level: Logger.Level, format: LogFormat, syslogPriorities: Bool = false,
        write: @escaping @Sendable (String) -> Void = ServiceLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.syslogPriorities = syslogPriorities
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let timestamp = Self.timestamp()
        switch format {
        case .text:
            let prefix = syslogPriorities ? "<\(Self.syslogPriority(event.level))>" : ""
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            write("\(prefix)\(timestamp) \(event.level) \(label): \(fields.isEmpty ? "" : fields + " ")[\(event.source)] \(event.message)\n")
        case .json:
            var object: [String: Any] = [:]
            for (key, value) in merged { object[key] = Self.json(value) }
            object["timestamp"] = timestamp
            object["level"] = event.level.rawValue
            object["label"] = label
            object["message"] = "\(event.message)"
            object["source"] = event.source
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            write(String(decoding: data, as: UTF8.self) + "\n")
        }
    }

    /// The syslog priority of a level (journald's `PRIORITY`): critical 2, error 3, warning 4, notice 5, info 6, debug 7.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): "\(convertible)"
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// Writes `line` to standard error in one call.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}
