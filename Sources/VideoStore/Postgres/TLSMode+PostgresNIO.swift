import PostgresNIO

extension DatabaseConfiguration.Postgres {
    /// PostgresNIO's TLS: `prefer` encrypts without verifying (libpq's `prefer`); `require` verifies the server's
    /// certificate and host name against ``rootCertificatePath`` or the system's roots.
    var postgresTLS: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable:
            return .disable
        case .prefer:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return .prefer(configuration)
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .fullVerification
            if let rootCertificatePath { configuration.trustRoots = .file(rootCertificatePath) }
            return .require(configuration)
        }
    }
}
