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
