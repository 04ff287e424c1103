import PostgresNIO

extension DatabaseConfiguration.Postgres.TLSMode {
    /// PostgresNIO's form; `prefer` and `require` verify the server's certificate against the system's roots.
    var postgresTLS: PostgresClient.Configuration.TLS {
        switch self {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }
}
