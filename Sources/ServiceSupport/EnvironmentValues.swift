import Foundation

/// Typed reads of configuration from environment variables, with errors that name the variable.
public struct EnvironmentValues: Sendable {
    /// The variables.
    public var values: [String: String]

    /// The process's environment, or the given one (for tests).
    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The trimmed value of `name`; `nil` when unset or empty.
    public func string(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The value of `name` or `defaultValue`.
    public func string(_ name: String, default defaultValue: String) -> String { string(name) ?? defaultValue }

    /// An integer within `range`.
    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigurationError) -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(setting: name, message: "'\(text)' is not a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// A number of seconds (`30`, `1.5`) within `range`, as a duration.
    public func seconds(_ name: String, default defaultValue: Duration, in range: ClosedRange<Double> = 0...(365 * 86_400)) throws(ConfigurationError) -> Duration {
        guard let text = string(name) else { return defaultValue }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw ConfigurationError(setting: name, message: "'\(text)' is not a number of seconds in \(range.lowerBound)…\(range.upperBound)")
        }
        return .milliseconds(Int64(value * 1000))
    }

    /// A duration with an optional unit (see ``parseDuration(_:)``); `nil` when unset.
    public func duration(_ name: String) throws(ConfigurationError) -> Duration? {
        guard let text = string(name) else { return nil }
        guard let value = Self.parseDuration(text) else {
            throw ConfigurationError(setting: name, message: "'\(text)' is not a duration (seconds, or a number with ms, s, m or h)")
        }
        return value
    }

    /// `90`, `1.5`, `500ms`, `30s`, `5m`, `1h` → a non-negative duration; `nil` for anything else.
    public static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = text.trimmingCharacters(in: .whitespaces).lowercased()
        var scale = 1.0
        for (suffix, factor) in units where number.hasSuffix(suffix) {
            number.removeLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale < 1e9 else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// A boolean: `1/true/yes/on` or `0/false/no/off`.
    public func bool(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = string(name)?.lowercased() else { return defaultValue }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(setting: name, message: "'\(text)' is not a boolean (true/false)")
        }
    }

    /// A value that must be set.
    public func required(_ name: String) throws(ConfigurationError) -> String {
        guard let value = string(name) else { throw ConfigurationError(setting: name, message: "must be set") }
        return value
    }
}
