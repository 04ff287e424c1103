import AWSSigV4
import Foundation
import SigV4CLI
import Testing

/// The `sigv4` tool: its commands as a library, and the built executable's exit status and stderr.
@Suite struct SigV4ToolTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static let suite: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/testdata/aws-signing-test-suite/v4")
    }()

    /// A scratch directory removed when the test ends.
    final class Scratch {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        func write(_ name: String, _ text: String) throws -> String {
            let file = url.appendingPathComponent(name)
            try Data(text.utf8).write(to: file)
            return file.path
        }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static let validContext = """
        {"credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
         "region": "us-east-1", "service": "service", "timestamp": "2015-08-30T12:36:00Z"}
        """

    @Test func signPrintsTheSuitesSignedRequest() throws {
        var command = try SignCommand.parse([
            "--request", Self.suite.appendingPathComponent("get-vanilla-query-order-key-case/request.txt").path,
            "--context", Self.suite.appendingPathComponent("get-vanilla-query-order-key-case/context.json").path,
        ])
        let (signed, diagnostics) = try command.output()
        #expect(
            signed == (try String(contentsOf: Self.suite.appendingPathComponent("get-vanilla-query-order-key-case/header-signed-request.txt"), encoding: .utf8))
        )
        #expect(
            diagnostics.contains(
                try String(contentsOf: Self.suite.appendingPathComponent("get-vanilla-query-order-key-case/header-canonical-request.txt"), encoding: .utf8)))
        command.presign = true
        #expect(
            try command.output().signedRequest
                == (try String(contentsOf: Self.suite.appendingPathComponent("get-vanilla-query-order-key-case/query-signed-request.txt"), encoding: .utf8)))
    }

    @Test func signChunksReproducesTheS3DocumentationExample() throws {
        let scratch = try Scratch()
        let payload = scratch.url.appendingPathComponent("payload")
        try Data(repeating: UInt8(ascii: "a"), count: 66_560).write(to: payload)
        let command = try SignChunksCommand.parse([
            "--request", Self.fixtures.appendingPathComponent("s3-chunked-example/request.txt").path,
            "--context", Self.fixtures.appendingPathComponent("s3-chunked-example/context.json").path,
            "--payload", payload.path,
        ])
        #expect(
            try command.signatures() == [
                "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
                "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
            ])
    }

    // MARK: Bad input

    static let badRequests: [(String, String)] = [
        ("", "empty request"),
        ("GET\nHost:example.com\n", "malformed request line"),
        ("GET / \nHost:example.com\n", "expected an HTTP version"),
        ("GET example.com HTTP/1.1\nHost:example.com\n", "must start with '/'"),
        ("G:T / HTTP/1.1\nHost:example.com\n", "bad method"),
        ("GET / HTTP/1.1\nHost example.com\n", "line 2: malformed header"),
        ("GET / HTTP/1.1\n  continued\n", "line 2: continuation line before any header"),
        ("GET / HTTP/1.1\nBad Name:x\nHost:example.com\n", "line 2: malformed header name"),
        ("GET / HTTP/1.1\nX-A:b\n", "no Host header"),
    ]

    @Test(arguments: badRequests)
    func malformedRequestsAreReportedOnOneLine(request: String, expected: String) throws {
        let scratch = try Scratch()
        let command = try SignCommand.parse([
            "--request", try scratch.write("request.txt", request),
            "--context", try scratch.write("context.json", Self.validContext),
        ])
        let error = try #require(throws: CLIError.self) { try command.output() }
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(!error.message.contains("\n"))
    }

    static let badContexts: [(String, String)] = [
        ("not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (#"{"region": "us-east-1", "service": "s", "timestamp": "2015-08-30T12:36:00Z"}"#, "missing key 'credentials'"),
        (
            #"{"credentials": {"access_key_id": "A"}, "region": "r", "service": "s", "timestamp": "2015-08-30T12:36:00Z"}"#,
            "missing key 'credentials.secret_access_key'"
        ),
        (#"{"credentials": {"access_key_id": "A", "secret_access_key": "S"}, "service": "s", "timestamp": "2015-08-30T12:36:00Z"}"#, "missing key 'region'"),
        (
            #"{"credentials": {"access_key_id": "A", "secret_access_key": "S"}, "region": "r", "service": "s", "timestamp": "yesterday"}"#,
            "bad timestamp 'yesterday'"
        ),
        (
            #"{"credentials": {"access_key_id": "A", "secret_access_key": "S"}, "region": "r", "service": "s", "timestamp": 12}"#,
            "key 'timestamp' has the wrong type"
        ),
        (
            #"{"credentials": {"access_key_id": "A", "secret_access_key": "S"}, "region": "r", "service": "s", "timestamp": "2015-08-30T12:36:00Z", "normalize": "yes"}"#,
            "key 'normalize' has the wrong type"
        ),
    ]

    @Test(arguments: badContexts)
    func malformedContextsAreReportedOnOneLine(context: String, expected: String) throws {
        let scratch = try Scratch()
        let command = try SignCommand.parse([
            "--request", try scratch.write("request.txt", "GET / HTTP/1.1\nHost:example.com\n"),
            "--context", try scratch.write("context.json", context),
        ])
        let error = try #require(throws: CLIError.self) { try command.output() }
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(!error.message.contains("\n"))
    }

    @Test func presignWithAnExpiryOverSevenDaysIsAnInputError() throws {
        let scratch = try Scratch()
        let context = Self.validContext.replacingOccurrences(of: "\"region\"", with: "\"expiration_in_seconds\": 604801, \"region\"")
        let command = try SignCommand.parse([
            "--request", try scratch.write("request.txt", "GET / HTTP/1.1\nHost:example.com\n"),
            "--context", try scratch.write("context.json", context), "--presign",
        ])
        let error = try #require(throws: CLIError.self) { try command.output() }
        #expect(error.message.contains("604801"))
    }

    @Test func unreadableFilesAreInputErrors() throws {
        let scratch = try Scratch()
        let missing = try SignCommand.parse(["--request", "/nonexistent/request.txt", "--context", try scratch.write("c.json", Self.validContext)])
        #expect((try #require(throws: CLIError.self) { try missing.output() }).message == "cannot read request file /nonexistent/request.txt: no such file")
        let directory = try SignCommand.parse(["--request", scratch.url.path, "--context", try scratch.write("c2.json", Self.validContext)])
        #expect((try #require(throws: CLIError.self) { try directory.output() }).message.contains("is a directory"))
        let chunks = try SignChunksCommand.parse([
            "--request", try scratch.write("r.txt", "PUT /b/k HTTP/1.1\nHost:s3.amazonaws.com\n"),
            "--context", try scratch.write("c3.json", Self.validContext), "--payload", "/nonexistent/payload",
        ])
        #expect((try #require(throws: CLIError.self) { try chunks.signatures() }).message.contains("cannot read payload file"))
        let zeroChunk = try SignChunksCommand.parse([
            "--request", try scratch.write("r2.txt", "PUT /b/k HTTP/1.1\nHost:s3.amazonaws.com\n"),
            "--context", try scratch.write("c4.json", Self.validContext), "--payload", "/dev/null", "--chunk-size", "0",
        ])
        #expect((try #require(throws: CLIError.self) { try zeroChunk.signatures() }).message.contains("--chunk-size"))
    }

    @Test func hostileBinaryInputIsRejectedNotCrashed() throws {
        let scratch = try Scratch()
        let file = scratch.url.appendingPathComponent("binary.txt")
        try Data([0x47, 0x45, 0x54, 0x20, 0xFF, 0xFE, 0x00, 0x0A]).write(to: file)
        let command = try SignCommand.parse(["--request", file.path, "--context", try scratch.write("c.json", Self.validContext)])
        #expect(throws: CLIError.self) { try command.output() }
        let huge = try scratch.write(
            "huge.txt", "GET /" + String(repeating: "a", count: 1_000_000) + " HTTP/1.1\nHost:example.com\n" + String(repeating: "X-H:v\n", count: 10_000))
        let hugeCommand = try SignCommand.parse(["--request", huge, "--context", try scratch.write("c5.json", Self.validContext)])
        #expect(try hugeCommand.output().signedRequest.contains("Authorization:AWS4-HMAC-SHA256"))
    }

    // MARK: The executable

    /// The built `sigv4` executable, beside the test bundle in the build directory.
    static let executable: URL = {
        var url = Bundle.module.bundleURL
        url.deleteLastPathComponent()
        return url.appendingPathComponent("sigv4")
    }()

    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func executableExitsWithStatus2AndOneLineOnBadInput() throws {
        let scratch = try Scratch()
        let result = try run(["sign", "--request", try scratch.write("r.txt", "nonsense"), "--context", try scratch.write("c.json", Self.validContext)])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("sigv4: error: "))
        #expect(result.stderr.filter { $0 == "\n" }.count == 1)
        let missingOption = try run(["sign", "--request", "x"])
        #expect(missingOption.status == 2)
    }

    @Test func executableSignsAndPrintsVerboseDiagnosticsOnStderr() throws {
        let directory = Self.suite.appendingPathComponent("post-x-www-form-urlencoded")
        let result = try run([
            "sign", "--request", directory.appendingPathComponent("request.txt").path,
            "--context", directory.appendingPathComponent("context.json").path, "--verbose",
        ])
        #expect(result.status == 0)
        #expect(result.stdout == (try String(contentsOf: directory.appendingPathComponent("header-signed-request.txt"), encoding: .utf8)))
        #expect(result.stderr.contains(try String(contentsOf: directory.appendingPathComponent("header-string-to-sign.txt"), encoding: .utf8)))
        let help = try run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("sign-chunks"))
    }
}
