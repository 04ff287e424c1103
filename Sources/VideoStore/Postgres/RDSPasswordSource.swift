import AWSSigV4
import Foundation

/// Where an IAM-authenticated PostgreSQL store gets the password of its next connections: a fresh RDS IAM token
/// (``AWSSigV4/RDSAuthToken``) from the default credential chain, for the configuration's region or `AWS_REGION`.
enum RDSPasswordSource {
    /// The token maker for `configuration`, or `nil` when it authenticates with a password.
    /// - Throws: ``VideoStoreError/Code/invalidConfiguration`` when no region is known.
    static func make(
        for configuration: DatabaseConfiguration.Postgres,
        environment: [String: String]
    ) throws -> (@Sendable () async throws -> String)? {
        guard configuration.iamAuthentication else { return nil }
        guard let region = configuration.region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !region.isEmpty else {
            throw VideoStoreError(code: .invalidConfiguration, message: "auth=iam needs a region: region= in DATABASE_URL or AWS_REGION")
        }
        let credentials = CredentialProviderChain.default(environment: environment)
        let (host, port, user) = (configuration.host, configuration.port, configuration.username)
        return {
            try RDSAuthToken.make(host: host, port: port, user: user, region: region, credentials: try await credentials.credentials())
        }
    }
}
