import Foundation
import S3Client
import SQSClient
import TestSupport
import Testing
import VideoCore
import VideoStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The built `producer` started as systemd starts it: without its database it serves, reports itself not ready and
/// refuses what needs the database with a 503, and starts working as soon as the database answers; a bad setting
/// ends it with 78 (`EX_CONFIG`) and the reason on standard error.
@Suite("Producer start-up")
struct ProducerStartupTests {
    /// `producer` beside the test bundle (SwiftPM builds it with the tests).
    static var executable: URL {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
            let url = directory.appendingPathComponent("producer")
            guard FileManager.default.isExecutableFile(atPath: url.path) else { throw EmulatorError("\(url.path) is missing: swift build first") }
            return url
        }
    }

    /// The environment of this process without its AWS, VideoQueue and database settings, with `settings` over it.
    static func environment(_ settings: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") || key.hasPrefix("VIDEOQUEUE_") || key.hasPrefix("DATABASE_") || key == "NOTIFY_SOCKET" {
            environment[key] = nil
        }
        environment.merge(settings) { _, new in new }
        return environment
    }

    /// Starts `producer` with `arguments`; its standard error goes to `standardError`.
    static func launch(_ arguments: [String], environment: [String: String], standardError: String) throws -> Process {
        FileManager.default.createFile(atPath: standardError, contents: nil)
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: standardError)
        try process.run()
        return process
    }

    static func exitStatus(of process: Process, timeout: Duration = .seconds(30)) async throws -> Int32? {
        let exited = try await eventually(timeout: timeout, every: .milliseconds(50)) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    static func text(of path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// A port nothing listens on (bound and released).
    static func freePort() async throws -> Int {
        let probe = try await ScriptedTCPServer.start(replies: [])
        let port = probe.port
        try await probe.shutdown()
        return port
    }

    /// The status, headers and body of one request to the producer on `port`.
    static func request(
        _ method: String = "GET", port: Int, path: String, headers: [String: String] = [:],
        body: Data? = nil
    ) async throws -> (status: Int, headers: [String: String], body: Data) {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return (http.statusCode, fields, data)
    }

    struct Readiness: Decodable {
        var ready: Bool
        var checks: [String: String]
    }

    struct ErrorDocument: Decodable {
        struct Detail: Decodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    @Test(
        "PostgreSQL unreachable at start: /readyz answers 503 (database failing) within seconds, STATUS=waiting for the database, an upload gets 503 database_unavailable; once PostgreSQL answers the producer migrates and accepts the upload, and SIGTERM ends it with 0"
    )
    func startsWithoutTheDatabase() async throws {
        let directory = try TemporaryDirectory()
        let database = try TestPostgresDatabase.create(prefix: "vq_producer_start_")
        let s3 = S3Client(configuration: try Emulator.localstack.configuration())
        let sqs = SQSClient(configuration: try Emulator.localstack.configuration())
        let bucket = Emulator.uniqueName("vq-producer-start")
        try await s3.createBucket(bucket)
        let queueURL = try await sqs.createQueue(named: Emulator.uniqueName("vq-producer-start"))
        var components = try #require(URLComponents(string: database.url))
        let proxy = try await TCPProxy.start(upstreamHost: components.host ?? "127.0.0.1", upstreamPort: components.port ?? 5432, relaying: false)
        try await withTearDown {
            try? await proxy.shutdown()
            if let objects = try? await s3.listObjects(bucket: bucket).collect(), !objects.isEmpty {
                _ = try? await s3.deleteObjects(bucket: bucket, keys: objects.map(\.key))
            }
            try? await s3.deleteBucket(bucket)
            try? await sqs.deleteQueue(queueURL)
            database.drop()
            directory.remove()
        } body: {
            components.host = "127.0.0.1"
            components.port = proxy.port
            let proxiedURL = try #require(components.string)
            let port = try await Self.freePort()
            let socket = try NotifySocket(path: directory.file("notify.sock"))
            defer { socket.close() }
            let endpoint = try Emulator.localstack.connection().endpoint
            let environment = Self.environment([
                "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint.url, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "VIDEOQUEUE_BUCKET": bucket, "VIDEOQUEUE_QUEUE_URL": queueURL, "VIDEOQUEUE_HOST": "127.0.0.1", "VIDEOQUEUE_PORT": String(port),
                "DATABASE_URL": proxiedURL, "LOG_LEVEL": "warning", "NOTIFY_SOCKET": socket.path,
            ])
            let log = directory.file("producer.log")
            let child = try Self.launch(["serve"], environment: environment, standardError: log)
            defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

            // The server answers at once, the database or not.
            let serving = try await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
                (try? await Self.request(port: port, path: "/healthz"))?.status == 200
            }
            try #require(serving, "the producer did not serve: \(Self.text(of: log))")

            // Not ready, promptly, with the database failing (what failed is in the log: a key cannot be checked without it).
            let start = ContinuousClock.now
            let readiness = try await Self.request(port: port, path: "/readyz")
            #expect(ContinuousClock.now - start < .seconds(15), "/readyz took \(ContinuousClock.now - start)")
            #expect(readiness.status == 503)
            let checks = try JSONDecoder().decode(Readiness.self, from: readiness.body)
            #expect(!checks.ready)
            #expect(checks.checks["database"] == "fail", "\(checks.checks)")
            #expect(checks.checks["s3"] == "ok" && checks.checks["sqs"] == "ok", "\(checks.checks)")
            let logged = try await eventually(timeout: .seconds(5), every: .milliseconds(50)) {
                Self.text(of: log).components(separatedBy: "\n").contains {
                    $0.contains("not ready") && $0.contains("check=database") && $0.contains("timed out")
                }
            }
            #expect(logged, "\(Self.text(of: log))")

            // systemd hears why, and the producer keeps trying.
            var received: [String] = []
            let waiting = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                received += socket.drain()
                return received.contains { $0.hasPrefix("STATUS=waiting for the database") }
            }
            #expect(waiting, "\(received)")
            #expect(received.first?.hasPrefix("READY=1") == true, "\(received)")
            #expect(received.contains { $0.contains("PostgreSQL at 127.0.0.1:\(proxy.port): no connection") }, "\(received)")

            // What needs the database is refused clearly.
            let refused = try await Self.request(
                "POST", port: port, path: "/v1/videos?title=early",
                headers: ["Authorization": "Bearer vq_not_checked_yet", "Content-Type": "video/mp4"],
                body: Data(SampleVideo.mp4.readableBytesView))
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] != nil)
            #expect(try JSONDecoder().decode(ErrorDocument.self, from: refused.body).error.code == "database_unavailable")
            #expect(child.isRunning, "the producer exited while the database was unreachable")

            // PostgreSQL answers: the producer migrates and works without a restart.
            proxy.setRelaying(true)
            let ready = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                (try? await Self.request(port: port, path: "/readyz"))?.status == 200
            }
            #expect(ready, "\(Self.text(of: log))")
            received += socket.drain()
            #expect(received.contains("STATUS=serving"), "\(received)")
            let store = try await DatabaseConfiguration(url: database.url).makeStore()
            let key = try await store.running {
                #expect(try await store.appliedMigrations().isEmpty == false)
                return try await store.createAPIKey(owner: "alice", name: "start-up", isAdmin: false).plaintext
            }
            let accepted = try await Self.request(
                "POST", port: port, path: "/v1/videos?title=later",
                headers: ["Authorization": "Bearer \(key)", "Content-Type": "video/mp4"],
                body: Data(SampleVideo.mp4.readableBytesView))
            #expect(accepted.status == 202, "\(String(decoding: accepted.body, as: UTF8.self))")

            kill(child.processIdentifier, SIGTERM)
            #expect(try await Self.exitStatus(of: child) == 0)
        }
    }

    @Test(
        "a bad setting ends 'producer serve' (and 'producer migrate') with 78 and the reason on standard error: a port that is not a number, an SQLite file whose directory does not exist"
    )
    func badSettingsExit78() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let base = Self.environment([
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "VIDEOQUEUE_BUCKET": "b", "VIDEOQUEUE_QUEUE_URL": "http://127.0.0.1:9/000000000000/q", "VIDEOQUEUE_HOST": "127.0.0.1",
            "VIDEOQUEUE_PORT": String(try await Self.freePort()), "DATABASE_URL": directory.file("videos.sqlite"), "LOG_LEVEL": "warning",
        ])

        var badPort = base
        badPort["VIDEOQUEUE_PORT"] = "abc"
        let portLog = directory.file("port.log")
        let portChild = try Self.launch(["serve"], environment: badPort, standardError: portLog)
        defer { if portChild.isRunning { kill(portChild.processIdentifier, SIGKILL) } }
        #expect(try await Self.exitStatus(of: portChild) == 78)
        #expect(Self.text(of: portLog).contains("bad configuration") && Self.text(of: portLog).contains("VIDEOQUEUE_PORT"), "\(Self.text(of: portLog))")

        let missing = directory.file("missing/videos.sqlite")
        var badDatabase = base
        badDatabase["DATABASE_URL"] = missing
        let databaseLog = directory.file("database.log")
        let databaseChild = try Self.launch(["serve"], environment: badDatabase, standardError: databaseLog)
        defer { if databaseChild.isRunning { kill(databaseChild.processIdentifier, SIGKILL) } }
        #expect(try await Self.exitStatus(of: databaseChild) == 78)
        #expect(
            Self.text(of: databaseLog).contains("DATABASE_URL") && Self.text(of: databaseLog).contains("does not exist"),
            "\(Self.text(of: databaseLog))")

        let migrateLog = directory.file("migrate.log")
        let migrate = try Self.launch(["migrate"], environment: badDatabase, standardError: migrateLog)
        defer { if migrate.isRunning { kill(migrate.processIdentifier, SIGKILL) } }
        #expect(try await Self.exitStatus(of: migrate) == 78)
        #expect(Self.text(of: migrateLog).contains("does not exist"), "\(Self.text(of: migrateLog))")
    }
}
