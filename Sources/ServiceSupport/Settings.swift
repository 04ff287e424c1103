import Configuration
import Foundation

/// The settings of a VideoQueue executable, one model for all of them: a swift-configuration `ConfigReader` over,
/// in this order, the command line's options (``Flag``), the environment, and the credential files systemd passes
/// (`LoadCredential=`, see ``withCredentials(_:)``). A setting is named by its environment variable
/// (`VIDEOQUEUE_PORT`, the configuration key `videoqueue.port`); a flag names the variable it stands for.
///
/// Values are typed here, with errors that name what to fix — the flag when the value came from one, else the
/// variable. Durations, whatever their unit, are one type (`Duration`) with one syntax (``parseDuration(_:)``).
public struct Settings: Sendable {
    /// A command-line option standing for a variable.
    public struct Flag: Sendable {
        /// The option as written, e.g. `--queue-url`.
        public var name: String
        /// The variable it overrides, e.g. `VIDEOQUEUE_QUEUE_URL`.
        public var variable: String
        /// The value given; `nil` when the option was not used.
        public var value: String?

        public init(_ name: String, _ variable: String, _ value: String?) {
            self.name = name
            self.variable = variable
            self.value = value
        }

        public init(_ name: String, _ variable: String, _ value: Int?) {
            self.init(name, variable, value.map(String.init))
        }
    }

    /// The environment with the credential files (what the AWS credential chain and the libraries that follow AWS's
    /// conventions read); flags are not in it.
    public let environment: [String: String]
    /// Variable → the flag that set it, for error messages.
    private let flagNames: [String: String]
    private let reader: ConfigReader

    /// Settings from `flags` over `environment` (taken as it is: call ``load(flags:environment:)`` for the
    /// credential files).
    public init(_ environment: [String: String] = ProcessInfo.processInfo.environment, flags: [Flag] = []) {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        var flagNames: [String: String] = [:]
        for flag in flags {
            guard let value = flag.value else { continue }
            values[AbsoluteConfigKey(Self.key(flag.variable).components)] = ConfigValue(.string(value), isSecret: false)
            flagNames[flag.variable] = flag.name
        }
        self.environment = environment
        self.flagNames = flagNames
        reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: values),
            EnvironmentVariablesProvider(environmentVariables: environment),
        ])
    }

    /// The process's settings: `flags` over its environment and its credential files.
    /// - Throws: ``ConfigurationError`` when a credential file cannot be read.
    public static func load(flags: [Flag] = [], environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> Settings
    {
        Settings(try withCredentials(environment), flags: flags)
    }

    /// The configuration key of a variable: `VIDEOQUEUE_MAX_UPLOAD_BYTES` → `videoqueue.max.upload.bytes` (which the
    /// environment provider spells back as the variable).
    static func key(_ variable: String) -> ConfigKey {
        ConfigKey(variable.lowercased().split(separator: "_").map(String.init))
    }

    /// What to name in an error about `name`: the flag that set it, else the variable.
    public func source(of name: String) -> String { flagNames[name] ?? name }

    /// The trimmed value of `name`; `nil` when unset or empty.
    public func string(_ name: String) -> String? {
        guard let value = reader.string(forKey: Self.key(name))?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// The value of `name` or `defaultValue`.
    public func string(_ name: String, default defaultValue: String) -> String { string(name) ?? defaultValue }

    /// A value that must be set.
    public func required(_ name: String) throws(ConfigurationError) -> String {
        guard let value = string(name) else { throw ConfigurationError(setting: source(of: name), message: "must be set") }
        return value
    }

    /// An integer within `range`; `nil` when unset.
    public func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigurationError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(setting: source(of: name), message: "'\(text)' is not a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// An integer within `range`, or `defaultValue` when unset.
    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigurationError) -> Int {
        try int(name, in: range) ?? defaultValue
    }

    /// A duration (see ``parseDuration(_:)``) within `range` seconds; `nil` when unset.
    public func duration(_ name: String, in range: ClosedRange<Double> = 0...(365 * 86_400)) throws(ConfigurationError) -> Duration? {
        guard let text = string(name) else { return nil }
        guard let value = Self.parseDuration(text), range.contains(value.seconds) else {
            throw ConfigurationError(
                setting: source(of: name),
                message:
                    "'\(text)' is not a duration in \(range.lowerBound.formatted())…\(range.upperBound.formatted()) s (seconds, or a number with ms, s, m or h)"
            )
        }
        return value
    }

    /// A duration within `range` seconds, or `defaultValue` when unset.
    public func duration(_ name: String, default defaultValue: Duration, in range: ClosedRange<Double> = 0...(365 * 86_400))
        throws(ConfigurationError) -> Duration
    {
        try duration(name, in: range) ?? defaultValue
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
        // Digits and one point only: `Double` alone would take `0x10`, `1e3`, `nan`.
        guard number.utf8.count <= 32, number.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2E }),
            let value = Double(number), value.isFinite, value * scale < 1e9
        else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// A boolean: `1/true/yes/on` or `0/false/no/off`.
    public func bool(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = string(name)?.lowercased() else { return defaultValue }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(setting: source(of: name), message: "'\(text)' is not a boolean (true/false)")
        }
    }
}

extension Double {
    fileprivate func formatted() -> String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}
