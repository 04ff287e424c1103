import Foundation

/// The databases the service tests run their key tests against.
public enum TestDatabaseBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }
}

/// A PostgreSQL database of one test's own, made on the server of `VIDEOQUEUE_TEST_DATABASE_URL` (started by
/// `scripts/test`, or by hand with `scripts/postgres start`) with `psql`, and dropped by ``drop()``.
public struct TestPostgresDatabase: Sendable {
    /// The server's URL (`VIDEOQUEUE_TEST_DATABASE_URL`).
    public let server: String
    /// The database's name: `prefix` and a UUID's hex digits.
    public let name: String

    /// The database's URL: ``server`` with its database replaced by ``name``.
    public var url: String { Self.url(server, database: name) }

    /// Creates a new database named `prefix` + a UUID's hex digits.
    /// - Throws: `EmulatorError` when `VIDEOQUEUE_TEST_DATABASE_URL` is not set or `psql` fails.
    public static func create(prefix: String) throws -> TestPostgresDatabase {
        guard let server = ProcessInfo.processInfo.environment["VIDEOQUEUE_TEST_DATABASE_URL"], !server.isEmpty else {
            throw EmulatorError("VIDEOQUEUE_TEST_DATABASE_URL is not set: run scripts/test, or scripts/postgres start")
        }
        let name = prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(server, "CREATE DATABASE \(name)")
        return TestPostgresDatabase(server: server, name: name)
    }

    /// Drops the database, closing its remaining connections (best effort).
    public func drop() {
        try? Self.psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// `server` with its database replaced by `database`.
    public static func url(_ server: String, database: String) -> String {
        guard server.count > 11,
            let slash = server.range(of: "/", options: .backwards, range: server.index(server.startIndex, offsetBy: 11)..<server.endIndex)
        else {
            return server
        }
        let query = server[slash.upperBound...].firstIndex(of: "?").map { String(server[$0...]) } ?? ""
        return String(server[..<slash.upperBound]) + database + query
    }

    /// Runs one SQL command with `psql` (names here are ours: letters, digits and underscores).
    public static func psql(_ server: String, _ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", server, "-v", "ON_ERROR_STOP=1", "-q", "-c", command]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw EmulatorError("psql failed: \(command)") }
    }
}
