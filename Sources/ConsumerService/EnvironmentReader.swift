import Foundation
import ServiceSupport

/// Typed settings from environment variables on top of `EnvironmentValues`, adding durations with units;
/// a malformed value is a `ConfigurationError` naming the variable. Empty values count as unset.
public struct EnvironmentReader {
    /// The variables.
    public var values: EnvironmentValues

    /// Reads `environment`.
    public init(environment: [String: String]) {
        values = EnvironmentValues(environment)
    }

    /// The trimmed value; `nil` when unset or empty.
    public func string(_ name: String) -> String? { values.string(name) }

    /// A whole number within `range`; `nil` when unset.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard values.string(name) != nil else { return nil }
        return try values.int(name, default: range.lowerBound, in: range)
    }

    /// A duration (see ``parseDuration(_:)``); `nil` when unset.
    public func duration(_ name: String) throws -> Duration? {
        guard let text = string(name) else { return nil }
        guard let value = Self.parseDuration(text) else {
            throw ConfigurationError(setting: name, message: "'\(text)' is not a duration (seconds, or a number with ms, s, m or h)")
        }
        return value
    }

    /// `90`, `1.5`, `500ms`, `30s`, `5m`, `1h` → a non-negative duration.
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
}
