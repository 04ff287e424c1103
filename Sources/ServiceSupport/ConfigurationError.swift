/// A configuration value that cannot work, naming the setting (flag or environment variable) to fix.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting, e.g. `VIDEOQUEUE_BUCKET` or `--concurrency`.
    public var setting: String
    /// What is wrong with it.
    public var message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { "\(setting): \(message)" }
}
