import Foundation
import Logging
import Synchronization
import TestSupport
import Testing
import VideoCore

@testable import VideoStore

/// TLS verification and RDS IAM authentication settings, against the test cluster (scripts/postgres serves TLS with a
/// certificate for localhost and 127.0.0.1 signed by a CA it makes: `scripts/postgres ca`).
@Suite struct PostgresSecurityTests {
    /// The test CA: `VIDEOQUEUE_TEST_DATABASE_CA`, else the one scripts/postgres keeps beside the cluster.
    static func testCA() throws -> String {
        if let path = ProcessInfo.processInfo.environment["VIDEOQUEUE_TEST_DATABASE_CA"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".tmp/postgres/ca.crt").path
        guard FileManager.default.fileExists(atPath: path) else { throw VideoStoreError(code: .invalidConfiguration, message: "no test CA at \(path)") }
        return path
    }

    /// The test server's URL on `host` with `query`.
    static func url(host: String, query: String) throws -> String {
        let server = try TestDatabase.serverConfiguration()
        return "postgres://\(server.username):\(server.password ?? "")@\(host):\(server.port)/\(server.database)?\(query)"
    }

    /// Whether a store on `url` reaches the server within 10 s (an answer from the server, even an SQL error, counts;
    /// the pool retries a connection that fails TLS until then).
    static func canQuery(_ url: String) async throws -> Bool {
        var quiet = Logger(label: "videoqueue.test.tls")
        quiet.logLevel = .critical  // the pool logs every refused handshake it retries
        let store = try await DatabaseConfiguration(url: url).makeStore(logger: quiet)
        return try await store.running {
            return await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        _ = try await store.appliedMigrations()
                        return true
                    } catch {
                        return "\(error)".contains("SQLSTATE")
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(10))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        }
    }

    /// A CA the server's certificate does not chain to.
    static func strangerCA() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vq-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=stranger",
            "-keyout", directory.appendingPathComponent("ca.key").path, "-out", directory.appendingPathComponent("ca.crt").path,
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return directory.appendingPathComponent("ca.crt").path
    }

    @Test func verifyFullConnectsOnlyWithTheRightCAAndHostName() async throws {
        let ca = try Self.testCA()
        #expect(try await Self.canQuery(try Self.url(host: "localhost", query: "sslmode=verify-full&sslrootcert=\(ca)")))
        #expect(
            try await Self.canQuery(try Self.url(host: "127.0.0.1", query: "sslmode=verify-full&sslrootcert=\(ca)")),
            "the certificate names 127.0.0.1 too")
        #expect(
            try await Self.canQuery(try Self.url(host: "localhost", query: "sslmode=verify-full&sslrootcert=\(try Self.strangerCA())")) == false,
            "a certificate from another CA is refused")
        #expect(
            try await Self.canQuery(try Self.url(host: "localhost", query: "sslmode=require")) == false,
            "the system's roots do not know the test CA")
        #expect(try await Self.canQuery(try Self.url(host: "localhost", query: "sslmode=prefer")), "prefer encrypts without verifying")
    }

    @Test func tlsDefaultsAndIAMSettingsAreParsed() throws {
        func postgres(_ url: String) throws -> DatabaseConfiguration.Postgres {
            guard case .postgres(let value) = try DatabaseConfiguration(url: url).backend else {
                throw VideoStoreError(code: .invalidConfiguration, message: url)
            }
            return value
        }
        #expect(try postgres("postgres://u:p@db.example.com/d").tls == .require, "TLS verified by default off this machine")
        #expect(try postgres("postgres://u:p@127.0.0.1/d").tls == .prefer)
        let iam = try postgres("postgres://videoqueue@proxy.rds.amazonaws.com:5432/videos?auth=iam&region=eu-west-1&sslmode=verify-full")
        #expect(iam.iamAuthentication && iam.region == "eu-west-1" && iam.password == nil && iam.tls == .require)
        for bad in [
            "postgres://u:p@h/d?auth=iam", "postgres://u@h/d?auth=iam&sslmode=disable", "postgres://u@h/d?auth=magic",
            "postgres://u@h/d?sslmode=verify-full&sslrootcert=/nonexistent.pem", "postgres://u@h/d?sslmode=prefer&sslrootcert=\(try Self.testCA())",
        ] {
            #expect(throws: VideoStoreError.self, "\(bad)") { try DatabaseConfiguration(url: bad) }
        }
        #expect(throws: VideoStoreError.self) {
            try RDSPasswordSource.make(for: iam.with(region: nil), environment: [:])
        }
        let description = try DatabaseConfiguration(url: "postgres://videoqueue@h/d?auth=iam&region=us-east-1").description
        #expect(description.contains("auth=iam"))
    }

    @Test func anIAMTokenIsMadeForTheHostPortAndUser() async throws {
        let configuration = DatabaseConfiguration.Postgres(
            host: "db.example.com", port: 6432, username: "app", password: nil, database: "d",
            tls: .require, iamAuthentication: true, region: "eu-central-1")
        let source = try #require(
            try RDSPasswordSource.make(
                for: configuration,
                environment: [
                    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_EC2_METADATA_DISABLED": "true",
                ]))
        let token = try await source()
        #expect(token.hasPrefix("db.example.com:6432/?Action=connect&DBUser=app&X-Amz-Algorithm=AWS4-HMAC-SHA256"))
        #expect(token.contains("%2Feu-central-1%2Frds-db%2Faws4_request") && token.contains("X-Amz-Expires=900"))
    }

    @Test func poolsAreReplacedWithFreshPasswordsWithoutFailingQueries() async throws {
        try await TestDatabase.with(.postgres) { database, _ in
            let configuration = try #require(database.postgres)
            let calls = Mutex(0)
            let password = configuration.password ?? ""
            let store = PostgresVideoStore(
                configuration: configuration, maximumConnections: 2, logger: TestDatabase.logger,
                password: {
                    calls.withLock { $0 += 1 }
                    return password
                }, timing: PostgresBackend.Timing(rotationInterval: .milliseconds(500)))
            try await store.running { () async throws in  // its only `try` is inside #expect
                let start = ContinuousClock.now
                var queries = 0
                // Queries go on until three rotations have happened (a loaded machine is slower to connect, so the test
                // waits for the rotations rather than a fixed 3 s), 60 s at most.
                while (queries < 3 || calls.withLock({ $0 }) < 3) && ContinuousClock.now - start < .seconds(60) {
                    #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
                    queries += 1
                }
                #expect(queries >= 3, "queries go on across rotations")
                #expect(calls.withLock { $0 } >= 3, "a fresh password per rotation")
            }
        }
    }
}

extension DatabaseConfiguration.Postgres {
    func with(region: String?) -> Self {
        var copy = self
        copy.region = region
        return copy
    }
}
