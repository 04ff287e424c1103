import Foundation
import Logging

/// Which database the video store uses, from a URL such as `DATABASE_URL`:
///
/// - `postgres://user:password@host:5432/database` (or `postgresql://`) selects PostgreSQL; user and
///   password are percent-decoded; `?sslmode=disable|prefer|require` (default `prefer`, like libpq; the
///   `verify-*` modes mean `require`, which verifies the certificate);
/// - `sqlite:///absolute/path.sqlite`, `sqlite://relative.sqlite`, a plain file path or `:memory:` selects SQLite.
///
/// Anything else is a ``VideoStoreError/Code/invalidConfiguration`` error naming the problem (never the password).
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

        public init(host: String, port: Int = 5432, username: String, password: String?, database: String,
                    tls: TLSMode = .prefer) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.tls = tls
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

    /// Reads `DATABASE_URL` (default ``defaultURL``), `DATABASE_BUSY_TIMEOUT_MS` and `DATABASE_MAX_CONNECTIONS`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(url: environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultURL)
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
    public func makeStore(logger: Logger = Logger(label: "videoqueue.store")) async throws -> any VideoStore {
        switch backend {
        case .sqlite(let path):
            return try await SQLiteVideoStore(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, logger: logger)
        case .postgres(let postgres):
            return PostgresVideoStore(configuration: postgres, maximumConnections: maximumConnections, logger: logger)
        }
    }

    /// The configuration without the password.
    public var description: String {
        switch backend {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let p): "postgres://\(p.username)\(p.password == nil ? "" : ":***")@\(p.host):\(p.port)/\(p.database)?sslmode=\(p.tls.rawValue)"
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
           lower[lower.index(after: colon)...].hasPrefix("//") {
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
        var tls = Postgres.TLSMode.prefer
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            switch item.value ?? "" {
            case "disable", "allow": tls = .disable
            case "prefer": tls = .prefer
            case "require", "verify-ca", "verify-full": tls = .require
            case let other: throw invalid("unknown sslmode \(other) (disable, prefer, require)")
            }
        }
        let hostName = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return Postgres(host: hostName, port: port, username: user, password: components.password,
                        database: database.isEmpty ? user : database, tls: tls)
    }
}
