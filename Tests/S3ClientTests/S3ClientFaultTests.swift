import AWSClientRuntime
import AWSSigV4
import Foundation
import NIOCore
import S3Client
import TestSupport
import Testing

/// Faults an emulator does not produce, from scripted local servers: dropped bodies, 5xx answers, XML errors.
@Suite struct S3ClientFaultTests {
    static func client(_ url: String, options: S3ClientOptions = S3ClientOptions()) throws -> S3Client {
        let endpoint = try #require(AWSEndpoint(url: url))
        let configuration = AWSClientConfiguration(
            region: "us-east-1", endpoint: endpoint,
            credentialProvider: StaticCredentialProvider(credentials: Credentials(accessKeyID: "AKID", secretAccessKey: "secret")),
            retry: RetryConfiguration(maximumAttempts: 3, baseDelay: .milliseconds(1)),
            requestTimeout: .seconds(5))
        return S3Client(configuration: configuration, options: options)
    }

    @Test func aDownloadCutMidBodyResumesWithARangeConditionedOnTheETag() async throws {
        let server = try await ScriptedTCPServer.start(replies: [
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"abc\"\r\nContent-Type: video/mp4\r\n\r\n01234",
            "HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nContent-Range: bytes 5-9/10\r\nETag: \"abc\"\r\n\r\n56789",
        ])
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let target = directory.file("v.mp4")
            let info = try await Self.client(server.baseURL).download(bucket: "b", key: "v.mp4", to: target)
            #expect(info.contentLength == 10)
            #expect(info.eTag == "abc")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "0123456789")
            let heads = server.requestHeads
            #expect(heads.count == 2)
            #expect(heads.last?.lowercased().contains("range: bytes=5-") == true)
            #expect(heads.last?.lowercased().contains("if-match: \"abc\"") == true)
        }
    }

    @Test func aDownloadThatKeepsDroppingGivesUpWithAnIncompleteError() async throws {
        let server = try await ScriptedTCPServer.start(replies: [
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"abc\"\r\n\r\n01",
            "HTTP/1.1 206 Partial Content\r\nContent-Length: 8\r\nContent-Range: bytes 2-9/10\r\nETag: \"abc\"\r\n\r\n2",
        ])
        try await withTearDown {
            try await server.shutdown()
        } body: {
            var options = S3ClientOptions()
            options.downloadResumeAttempts = 3
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            await #expect(throws: AWSTransportError.self) {
                try await Self.client(server.baseURL, options: options).download(bucket: "b", key: "k", to: directory.file("k"))
            }
            #expect(server.connectionCount == 4)  // the first try and three resumes
        }
    }

    @Test func serverErrorsAreRetriedThenSucceed() async throws {
        let server = try await ScriptedTCPServer.start(replies: [
            "HTTP/1.1 503 Slow Down\r\nContent-Length: 83\r\n\r\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nETag: \"e1\"\r\nContent-Length: 0\r\n\r\n",
        ])
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let result = try await Self.client(server.baseURL).putObject(ByteBuffer(string: "x"), bucket: "b", key: "k")
            #expect(result.eTag == "e1")
            #expect(server.connectionCount == 3)
        }
    }

    @Test func anErrorInsideA200AnswerIsThrown() async throws {
        let body =
            "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>We encountered an internal error.</Message><RequestId>R1</RequestId></Error>"
        let server = try await ScriptedTCPServer.start(replies: ["HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"])
        try await withTearDown {
            try await server.shutdown()
        } body: { () async throws in  // its only `try`s are inside #expect
            let error = await #expect(throws: S3Error.self) {
                try await Self.client(server.baseURL).completeMultipartUpload(
                    bucket: "b", key: "k", uploadID: "u",
                    parts: [S3CompletedPart(partNumber: 1, eTag: "x")])
            }
            #expect(error?.code == "InternalError")
            #expect(error?.requestID == "R1")
        }
    }

    @Test func malformedXMLIsAnInvalidResponseNotACrash() async throws {
        let body = "<ListBucketResult><Contents><Key>a</Key"
        let server = try await ScriptedTCPServer.start(replies: ["HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"])
        try await withTearDown {
            try await server.shutdown()
        } body: { () async throws in  // its only `try`s are inside #expect
            let error = await #expect(throws: S3Error.self) { try await Self.client(server.baseURL).listObjects(bucket: "b").collect() }
            #expect(error?.code == .invalidResponse)
        }
    }

    @Test func aRefusedConnectionIsATransportErrorAfterRetries() async throws {
        let server = try await ScriptedTCPServer.start(replies: [])
        let url = server.baseURL
        try await server.shutdown()
        let error = await #expect(throws: AWSTransportError.self) { try await Self.client(url).headObject(bucket: "b", key: "k") }
        #expect(error?.attempts == 3)
    }
}
