import AWSClientRuntime
import Foundation
import Logging
import S3Client
import SQSClient
import VideoStore

extension ConsumerService {
    /// Opens everything the daemon needs from `configuration` and the environment: the video store
    /// (not connected yet), the SQS and S3 clients (`AWS_REGION`, `AWS_ENDPOINT_URL(_SQS/_S3)`, the credential chain).
    /// The service owns the store: ``runDaemon(environment:signals:logger:)`` closes it, or call ``close()`` (`--once`).
    public static func bootstrap(
        configuration: ConsumerConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) async throws -> ConsumerService {
        let sqs = SQSClient(configuration: try AWSClientConfiguration(service: .sqs, environment: environment), logger: logger)
        let s3 = S3Client(configuration: try AWSClientConfiguration(service: .s3, environment: environment), logger: logger)
        // Not migrated here: ``run()`` waits for the database (``runOnce(waitTime:)`` migrates at once).
        let database = try DatabaseConfiguration(url: configuration.databaseURL, environment: environment)
        try database.checkLocation()  // an SQLite path that can never open is a setting to fix: exit 78
        let store = try await database.makeStore(logger: logger, environment: environment)
        return ConsumerService(
            configuration: configuration, sqs: sqs, s3: s3, store: store, logger: logger, environment: environment,
            ownsStore: true)
    }

    /// ``runOnce(waitTime:)`` with the store running around it, then closed if the service opened it
    /// (`consumer run --once`).
    public func runOnceAndClose() async throws -> JobOutcome? {
        guard ownsStore else { return try await runOnce() }
        return try await store.running { try await runOnce() }
    }

    /// Closes the video store if the service opened it (``bootstrap(configuration:environment:logger:)``).
    public func close() async {
        guard ownsStore else { return }
        try? await store.close()
    }
}
