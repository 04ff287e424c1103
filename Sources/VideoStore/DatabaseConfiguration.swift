import Foundation
import Logging

/// Which database the video store uses, from a URL such as `DATABASE_URL`:
///
/// - `postgres://user:password@host:5432/database` (or `postgresql://`) selects PostgreSQL; user and
///   password are percent-decoded. `?sslmode=`: `disable`; `prefer` (TLS when the server offers it, unverified, as
///   libpq's); `require`, `verify-ca` and `verify-full` (TLS, the certificate verified against the system's roots
///   or `sslrootcert=/path/ca.pem`, with the host name). The default is `prefer` on a loopback host and
///   `require` elsewhere. `?auth=iam` authenticates with an RDS IAM token (made from the AWS credential chain
///   for `region=` or `AWS_REGION`, renewed for new connections) instead of a password;
/// - `sqlite:///absolute/path.sqlite`, `sqlite://relative.sqlite`, a plain file path or `:memory:` selects SQLite.
///
/// Anything else is a ``VideoStoreError/Code/invalidConfiguration`` error naming the problem (never the password).
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `DATABASE_URL` | the store, as above | `videoqueue.sqlite` |
/// | `DATABASE_BUSY_TIMEOUT_MS` | SQLite: how long a writer waits for another's lock, milliseconds | 5000 |
/// | `DATABASE_MAX_CONNECTIONS` | PostgreSQL: the pool's size | 20 |
public struct DatabaseConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Where a PostgreSQL database is.
    public struct Postgres: Sendable, Equatable {
        /// How to use TLS.
        public enum TLSMode: String, Sendable, Equatable {
            case disable, prefer, require
        }

        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// A PEM file of the certificate authorities the server's certificate must chain to (`sslrootcert=`); `nil`:
        /// the system's roots. Amazon RDS's bundle: https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
        public var rootCertificatePath: String?
        /// Authenticate with an RDS IAM token instead of ``password`` (`auth=iam`).
        public var iamAuthentication: Bool
        /// The region of the IAM token (`region=`); `nil`: `AWS_REGION`.
        public var region: String?

        public init(
            host: String, port: Int = 5432, username: String, password: String?, database: String,
            tls: TLSMode = .prefer, rootCertificatePath: String? = nil, iamAuthentication: Bool = false, region: String? = nil
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.tls = tls
            self.rootCertificatePath = rootCertificatePath
            self.iamAuthentication = iamAuthentication
            self.region = region
        }

        /// Whether `host` is this machine (the default `sslmode` there is `prefer`, elsewhere `require`).
        static func isLoopback(_ host: String) -> Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }

    /// The database.
    public enum Backend: Sendable, Equatable {
        /// An SQLite file (or `:memory:`).
        case sqlite(path: String)
        /// A PostgreSQL database.
        case postgres(Postgres)
    }

    /// The default when `DATABASE_URL` is unset: `videoqueue.sqlite` in the working directory.
    public static let defaultURL = "videoqueue.sqlite"

    /// The database.
    public var backend: Backend
    /// SQLite: how long a writer waits for another's lock (`DATABASE_BUSY_TIMEOUT_MS`, default 5000).
    public var busyTimeoutMilliseconds = 5000
    /// PostgreSQL: the pool's size (`DATABASE_MAX_CONNECTIONS`, default 20).
    public var maximumConnections = 20

    public init(backend: Backend) {
        self.backend = backend
    }

    /// Parses a database URL (see the type's documentation).
    public init(url: String) throws {
        self.init(backend: try Self.parse(url))
    }

    /// Reads `DATABASE_URL` (default ``defaultURL``; `url` when given, e.g. from a flag), `DATABASE_BUSY_TIMEOUT_MS`
    /// and `DATABASE_MAX_CONNECTIONS`.
    public init(url: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(url: url ?? environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultURL)
        if let text = environment["DATABASE_BUSY_TIMEOUT_MS"] {
            guard let value = Int(text), value >= 0 else {
                throw VideoStoreError(code: .invalidConfiguration, message: "DATABASE_BUSY_TIMEOUT_MS is not a number of milliseconds: \(text)")
            }
            busyTimeoutMilliseconds = value
        }
        if let text = environment["DATABASE_MAX_CONNECTIONS"] {
            guard let value = Int(text), value >= 1 else {
                throw VideoStoreError(code: .invalidConfiguration, message: "DATABASE_MAX_CONNECTIONS is not a positive number: \(text)")
            }
            maximumConnections = value
        }
    }

    /// Opens the store (PostgreSQL: starts its pool). Call ``VideoStore/migrate()`` next.
    /// - Parameter environment: where an IAM-authenticated PostgreSQL store finds `AWS_REGION` and its credentials.
    public func makeStore(
        logger: Logger = Logger(label: "videoqueue.store"),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> any VideoStore {
        switch backend {
        case .sqlite(let path):
            return try await SQLiteVideoStore(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, logger: logger)
        case .postgres(let postgres):
            return PostgresVideoStore(
                configuration: postgres, maximumConnections: maximumConnections, logger: logger,
                password: try RDSPasswordSource.make(for: postgres, environment: environment))
        }
    }

    /// The configuration without the password.
    public var description: String {
        switch backend {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let p):
            "postgres://\(p.username)\(p.password == nil ? "" : ":***")@\(p.host):\(p.port)/\(p.database)?sslmode=\(p.tls.rawValue)"
                + (p.iamAuthentication ? "&auth=iam" : "")
        }
    }

    private static func invalid(_ message: String) -> VideoStoreError {
        VideoStoreError(code: .invalidConfiguration, message: message)
    }

    static func parse(_ url: String) throws -> Backend {
        let text = url.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw invalid("the database URL is empty") }
        guard !text.utf8.contains(0) else { throw invalid("the database URL contains a NUL byte") }
        let lower = text.lowercased()
        if lower.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw invalid("the sqlite URL names no file (sqlite:///path/to/file.sqlite)") }
            return .sqlite(path: path.removingPercentEncoding ?? path)
        }
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            return .postgres(try parsePostgres(text))
        }
        if let colon = lower.firstIndex(of: ":"), lower[..<colon].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "." || $0 == "-" }),
            lower[lower.index(after: colon)...].hasPrefix("//")
        {
            throw invalid("unsupported database URL scheme \(lower[..<colon]) (use postgres://, postgresql:// or sqlite://)")
        }
        return .sqlite(path: text)
    }

    private static func parsePostgres(_ text: String) throws -> Postgres {
        guard let components = URLComponents(string: text) else {
            throw invalid("the PostgreSQL URL is malformed (postgres://user:password@host:port/database)")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("the PostgreSQL URL has no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("the PostgreSQL URL has no user") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("the PostgreSQL URL's port \(port) is out of range") }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        guard !database.contains("/") else { throw invalid("the PostgreSQL URL's path must be one database name") }
        let hostName = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var tls: Postgres.TLSMode = Postgres.isLoopback(hostName) ? .prefer : .require
        var rootCertificate: String?
        var iam = false
        var region: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value ?? "" {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                case let other: throw invalid("unknown sslmode \(other) (disable, prefer, require, verify-ca, verify-full)")
                }
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty else { throw invalid("sslrootcert names no file") }
                guard FileManager.default.isReadableFile(atPath: path) else { throw invalid("sslrootcert \(path) is not a readable file") }
                rootCertificate = path
            case "auth":
                guard item.value == "iam" || item.value == "password" else { throw invalid("unknown auth \(item.value ?? "") (iam, password)") }
                iam = item.value == "iam"
            case "region":
                region = item.value
            default:
                continue
            }
        }
        if rootCertificate != nil, tls != .require { throw invalid("sslrootcert needs sslmode=verify-full (or require)") }
        if iam, components.password != nil { throw invalid("auth=iam takes no password in the URL (the token is the password)") }
        if iam, tls == .disable { throw invalid("auth=iam needs TLS (RDS refuses IAM tokens over plain connections)") }
        return Postgres(
            host: hostName, port: port, username: user, password: components.password,
            database: database.isEmpty ? user : database, tls: tls, rootCertificatePath: rootCertificate,
            iamAuthentication: iam, region: region)
    }
}
