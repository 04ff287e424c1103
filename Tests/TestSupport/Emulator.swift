import AWSClientRuntime
import AWSSigV4
import Foundation

/// The local AWS emulators the integration tests run against, started by `scripts/test`
/// (or by hand with `localstack/start` and `localstack/moto-start`).
///
/// - LocalStack: what users run against; it does not check header signatures.
/// - moto with IAM authentication on: an independent SigV4 verifier (a wrong signature gets 403).
///
/// A test that needs an emulator fails with a message saying how to start it; it never skips.
public enum Emulator: String, CaseIterable, Sendable, CustomStringConvertible {
    case localstack
    case moto

    public var description: String { rawValue }

    /// The repository's root directory.
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The emulator's endpoint and the credentials it accepts.
    public func connection() throws -> (endpoint: AWSEndpoint, credentials: Credentials) {
        let environment = ProcessInfo.processInfo.environment
        switch self {
        case .localstack:
            let url = environment["VIDEOQUEUE_TEST_LOCALSTACK_URL"] ?? "http://127.0.0.1:4566"
            guard let endpoint = AWSEndpoint(url: url) else { throw EmulatorError("VIDEOQUEUE_TEST_LOCALSTACK_URL '\(url)' is not a URL") }
            return (endpoint, Credentials(accessKeyID: "test", secretAccessKey: "test"))
        case .moto:
            var values = environment
            let file = Self.repositoryRoot.appendingPathComponent(".localstack/moto-credentials.env")
            if values["MOTO_ENDPOINT_URL"] == nil, let text = try? String(contentsOf: file, encoding: .utf8) {
                for line in text.split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2 { values[parts[0]] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
                }
            }
            guard let url = values["MOTO_ENDPOINT_URL"], let endpoint = AWSEndpoint(url: url),
                let keyID = values["MOTO_ACCESS_KEY_ID"], let secret = values["MOTO_SECRET_ACCESS_KEY"]
            else {
                throw EmulatorError("moto is not running with authentication: run scripts/test, or localstack/moto-start (it writes \(file.path))")
            }
            return (endpoint, Credentials(accessKeyID: keyID, secretAccessKey: secret))
        }
    }

    /// A client configuration for this emulator (region us-east-1), with quick retries for tests.
    public func configuration(
        retry: RetryConfiguration = RetryConfiguration(maximumAttempts: 3, baseDelay: .milliseconds(20)),
        credentials: Credentials? = nil
    ) throws -> AWSClientConfiguration {
        let connection = try connection()
        return AWSClientConfiguration(
            region: "us-east-1", endpoint: connection.endpoint,
            credentialProvider: StaticCredentialProvider(credentials: credentials ?? connection.credentials),
            retry: retry, requestTimeout: .seconds(15))
    }

    /// A name unique to one test, for queues and buckets (lower-case letters, digits and '-').
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.lowercased().prefix(13))"
    }
}

/// An emulator that is not there.
public struct EmulatorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
