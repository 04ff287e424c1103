import AWSClientRuntime
import ArgumentParser
import Foundation
import Logging
import ServiceSupport
import VideoStore

/// Exit statuses of `producer`: 0 after a graceful shutdown, ``configuration`` for a setting no retry can fix (systemd's
/// unit does not restart it: `RestartPreventExitStatus=78`), ``failure`` otherwise. A dependency that does not answer
/// (the database, S3, SQS, instance credentials) is no reason to exit: `serve` waits for it, not ready meanwhile.
enum ProducerExitCode {
    /// A setting is missing or malformed (`EX_CONFIG`).
    static let configuration: Int32 = 78
    /// Start-up failed for another reason.
    static let failure: Int32 = 1

    /// Whether `error` is a bad setting (which no retry fixes) rather than a dependency not answering.
    static func isConfigurationError(_ error: any Error) -> Bool {
        switch error {
        case is ConfigurationError, is AWSConfigurationError: true
        case let store as VideoStoreError where store.code == .invalidConfiguration: true
        default: false
        }
    }

    /// Reports `error` on standard error (through `logger` once logging is set up) and returns the exit to throw:
    /// ``configuration`` for a bad setting, else ``failure``.
    /// - Parameter isConfigurationError: `true` for any error of reading the settings; `nil`: as
    ///   ``isConfigurationError(_:)`` says.
    static func exit(for error: any Error, logger: Logger?, isConfigurationError: Bool? = nil) -> ExitCode {
        let configuration = isConfigurationError ?? Self.isConfigurationError(error)
        let message = configuration ? "bad configuration" : "cannot start"
        if let logger {
            logger.critical("\(message)", metadata: ["error": "\(error)"])
        } else {
            FileHandle.standardError.write(Data("producer: \(message): \(error)\n".utf8))
        }
        return ExitCode(configuration ? Self.configuration : failure)
    }
}
