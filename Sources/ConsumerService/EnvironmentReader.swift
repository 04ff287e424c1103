import Foundation
import ServiceSupport

/// Typed settings from environment variables on top of `EnvironmentValues`, as the consumer's configuration
/// reads them (optional values); a malformed value is a `ConfigurationError` naming the variable. Empty values
/// count as unset.
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

    /// A duration with an optional unit (`90`, `500ms`, `30s`, `5m`, `1h`); `nil` when unset.
    public func duration(_ name: String) throws -> Duration? { try values.duration(name) }
}
