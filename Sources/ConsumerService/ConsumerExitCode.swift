import AWSClientRuntime
import ServiceSupport
import VideoStore

/// Exit statuses of `consumer run` that are not a ``JobOutcome``.
public enum ConsumerExitCode {
    /// `--once`: the queue had no message within the wait time.
    public static let noMessage: Int32 = 2
    /// A setting is missing or malformed (`EX_CONFIG`).
    public static let configuration: Int32 = 78
    /// `--once`: start-up or the receive itself failed (the queue, the database or S3 unreachable). The daemon
    /// waits for its dependencies instead.
    public static let failure: Int32 = 1

    /// The exit status for an error thrown while starting: ``configuration`` for a bad setting, else ``failure``.
    public static func forStartupError(_ error: any Error) -> Int32 {
        isConfigurationError(error) ? configuration : failure
    }

    /// Whether `error` is a bad setting (which no retry fixes) rather than a dependency not answering.
    public static func isConfigurationError(_ error: any Error) -> Bool {
        switch error {
        case is ConfigurationError, is AWSConfigurationError: true
        case let store as VideoStoreError where store.code == .invalidConfiguration: true
        default: false
        }
    }
}
