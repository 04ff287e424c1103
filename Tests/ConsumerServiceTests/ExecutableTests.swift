import ConsumerService
import Foundation
import TestSupport
import Testing
import VideoCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built `consumer` executable as a child process.
@Suite("Consumer executable")
struct ExecutableTests {
    /// `consumer` beside the test bundle (SwiftPM builds it with the tests).
    static var executable: URL {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            if directory.lastPathComponent == "MacOS" || directory.path.contains(".xctest") {
                while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
            }
            let url = directory.appendingPathComponent("consumer")
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw EmulatorError("\(url.path) is missing: build the package (swift build) before the tests")
            }
            return url
        }
    }

    static func environment(_ harness: ConsumerHarness) throws -> [String: String] {
        let endpoint = try Emulator.localstack.connection().endpoint
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") || key.hasPrefix("VIDEOQUEUE_") { environment[key] = nil }
        environment.merge([
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint.url, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "VIDEOQUEUE_QUEUE_URL": harness.queueURL, "VIDEOQUEUE_BUCKET": harness.bucket,
            "DATABASE_URL": harness.databaseURL, "VIDEOQUEUE_VISIBILITY_TIMEOUT": "2",
            "VIDEOQUEUE_WAIT_TIME": "1", "VIDEOQUEUE_HEALTH_PORT": "0", "VIDEOQUEUE_SCRATCH_DIR": harness.directory.file("child-scratch"),
            "VIDEOQUEUE_FFMPEG_THREADS": "1", "LOG_LEVEL": "error",
        ]) { _, new in new }
        return environment
    }

    /// Queues a multi-job video, starts a real consumer process, and SIGKILLs it once it has claimed the record
    /// (which must still be `processing` afterwards).
    static func killConsumerMidJob(_ harness: ConsumerHarness) async throws -> VideoRecord {
        let record = try await harness.enqueue(jobs: [.transcode, .hls, .thumbnails, .audio], source: try await TestVideos.smallVideo())
        let child = try launch(["run"], environment: try environment(harness))
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        let claimed = try await ConsumerHarness.eventually(timeout: .seconds(20)) {
            try await harness.record(record.id).status == .processing
        }
        try #require(claimed)
        kill(child.processIdentifier, SIGKILL)
        _ = try await exitStatus(of: child)
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(try await harness.record(record.id).status == .processing, "the child finished before it was killed")
        return record
    }

    static func launch(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func exitStatus(of process: Process, timeout: Duration = .seconds(30)) async throws -> Int32? {
        let exited = try await ConsumerHarness.eventually(timeout: timeout) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    @Test("--version prints this build's version and exits 0")
    func version() async throws {
        let result = try await runTool([try Self.executable.path, "--version"])
        #expect(result.status == 0)
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == VideoQueueVersion.current)
    }

    @Test("run --once: 2 on an empty queue, 0 after completing a message, 78 on a bad configuration")
    func onceExitCodes() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let environment = try Self.environment(harness)

            let empty = try Self.launch(["run", "--once", "--wait-time", "0"], environment: environment)
            #expect(try await Self.exitStatus(of: empty) == ConsumerExitCode.noMessage)

            let record = try await harness.enqueue(jobs: [.audio], source: try await TestVideos.smallVideo())
            let one = try Self.launch(["run", "--once", "--wait-time", "5"], environment: environment)
            #expect(try await Self.exitStatus(of: one) == 0)
            #expect(try await harness.record(record.id).status == .completed)

            let bad = try Self.launch(["run", "--once", "--concurrency", "0"], environment: environment)
            #expect(try await Self.exitStatus(of: bad) == ConsumerExitCode.configuration)
            // An SQLite database whose directory does not exist can never open: a setting to fix, not a dependency.
            let unopenable = try Self.launch(["run", "--database-url", "/nonexistent-\(UUID().uuidString)/videoqueue.sqlite"], environment: environment)
            #expect(try await Self.exitStatus(of: unopenable) == ConsumerExitCode.configuration)
        }
    }

    @Test(
        "a real consumer started while SQS is unreachable: /readyz 503 'waiting for SQS', no exit; it processes the video once SQS answers, and SIGTERM ends it with 0"
    )
    func startsWhileSQSIsUnreachable() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let localstack = try StartupTests.localstackAddress()
            let proxy = try await TCPProxy.start(upstreamHost: localstack.host, upstreamPort: localstack.port, relaying: false)
            try await withTearDown {
                try? await proxy.shutdown()
            } body: {
                let portProbe = try await ScriptedTCPServer.start(replies: [])
                let healthPort = portProbe.port
                try await portProbe.shutdown()
                var environment = try Self.environment(harness)
                environment["AWS_ENDPOINT_URL_SQS"] = proxy.baseURL
                environment["VIDEOQUEUE_HEALTH_PORT"] = String(healthPort)
                environment["VIDEOQUEUE_HEALTH_HOST"] = "127.0.0.1"
                environment["VIDEOQUEUE_DEPENDENCY_RETRY_MAX_DELAY"] = "500ms"
                let record = try await harness.enqueue(jobs: [.audio], source: try await TestVideos.smallVideo())
                let child = try Self.launch(["run"], environment: environment)
                defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

                var body = ""
                let waiting = try await ConsumerHarness.eventually(timeout: .seconds(20)) {
                    guard let url = URL(string: "http://127.0.0.1:\(healthPort)/readyz"),
                        let (data, response) = try? await URLSession.shared.data(from: url)
                    else { return false }
                    body = String(decoding: data, as: UTF8.self)
                    return (response as? HTTPURLResponse)?.statusCode == 503 && body.contains("startup: waiting for SQS") && proxy.connectionCount >= 3
                }
                #expect(waiting, "\(body)")
                #expect(child.isRunning, "the consumer exited while SQS was unreachable")

                proxy.setRelaying(true)
                let done = try await ConsumerHarness.eventually(timeout: .seconds(30)) {
                    try await harness.record(record.id).status == .completed
                }
                #expect(done)
                kill(child.processIdentifier, SIGTERM)
                #expect(try await Self.exitStatus(of: child) == 0)
            }
        }
    }

    @Test("a consumer killed with SIGKILL mid-job: the message reappears and a second consumer completes it once")
    func sigkillMidJob() async throws {
        let harness = try await ConsumerHarness.make(visibility: 2)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await Self.killConsumerMidJob(harness)

            // The message comes back after its 2 s visibility; the second consumer takes the record over.
            let second = harness.consumer(harness.configuration(visibility: 2))
            let services = RunningServices([second])
            let done = try await ConsumerHarness.eventually(timeout: .seconds(40)) {
                try await harness.record(record.id).status == .completed
            }
            try await services.stop()
            #expect(done)
            let final = try await harness.record(record.id)
            #expect(final.attempts == 2)
            let keys = try await harness.keys(prefix: "outputs/\(record.id.uuidString.lowercased())/")
            #expect(Set(keys) == Set(final.outputs.map(\.key)), "one set of outputs")
            #expect(Set(final.outputs.map(\.key)).count == final.outputs.count)
            #expect(try await harness.messageCount() == 0)
        }
    }

    @Test(
        "a real consumer SIGKILLed mid-job on its message's last allowed receive: another consumer's dead-letter watcher fails the record",
        arguments: TestDatabaseBackend.allCases)
    func sigkillOnLastReceive(database: TestDatabaseBackend) async throws {
        let harness = try await ConsumerHarness.make(visibility: 2, maximumReceiveCount: 1, database: database)
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await Self.killConsumerMidJob(harness)

            // The message's visibility runs out; SQS moves it to the DLQ on the next receive (the second consumer's).
            var configuration = harness.configuration(visibility: 2)
            configuration.deadLetterCheckInterval = .milliseconds(200)
            configuration.maximumAttempts = 1
            let services = RunningServices([harness.consumer(configuration)])
            let failed = try await ConsumerHarness.eventually(timeout: .seconds(30)) {
                try await harness.record(record.id).status == .failed
            }
            try await services.stop()
            #expect(failed)
            let final = try await harness.record(record.id)
            #expect(final.error?.code == "dead_lettered")
            #expect(final.attempts == 1, "never processed again")
            #expect(try await harness.messageCount() == 0)
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0, "the record carries the failure")
        }
    }
}
