import AWSClientRuntime
import AWSSigV4
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// The shared HTTP layer's retries, quota, clock-skew correction and transport faults, against local servers.
@Suite struct AWSHTTPClientRetryTests {
    static let credentials = Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")

    func client(_ url: String, retry: RetryConfiguration = RetryConfiguration(maximumAttempts: 3, baseDelay: .milliseconds(1))) throws -> AWSHTTPClient {
        let endpoint = try #require(AWSEndpoint(url: url))
        let configuration = AWSClientConfiguration(
            region: "us-east-1", endpoint: endpoint,
            credentialProvider: StaticCredentialProvider(credentials: Self.credentials),
            retry: retry, requestTimeout: .seconds(5))
        return AWSHTTPClient(configuration: configuration, service: .sqs) { response in
            let text = String(buffer: response.body)
            guard let code = text.split(separator: ":").first else { return nil }
            return AWSErrorDetails(code: String(code), message: text, requestID: nil)
        }
    }

    static let request = AWSRequest(operation: "Test", method: .POST, path: "/", body: .bytes(ByteBuffer(string: "{}")))

    @Test func serverErrorsAreRetriedUntilSuccess() async throws {
        let calls = Mutex(0)
        let server = try await FakeHTTPServer.start { _ in
            let call = calls.withLock { value -> Int in
                value += 1
                return value
            }
            return call <= 2 ? FakeHTTPServer.Response(status: .serviceUnavailable, body: "ServiceUnavailable: try later") : .ok("{}")
        }
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let http = try client(server.baseURL)
            let response = try await http.send(Self.request)
            #expect(response.status == .ok)
            #expect(server.totalRequestCount == 3)
            #expect(http.retryTokensAvailable == 500 - 5 - 5 + 1)
        }
    }

    @Test func throttlingCodesAreRetriedAndPermanentErrorsAreNot() async throws {
        let throttled = Mutex(true)
        let server = try await FakeHTTPServer.start { request in
            if request.path == "/throttle",
                throttled.withLock({ value in
                    defer { value = false }
                    return value
                })
            {
                return .init(status: .badRequest, body: "ThrottlingException: slow down")
            }
            return request.path == "/bad" ? .init(status: .badRequest, body: "InvalidParameterValue: no") : .ok("{}")
        }
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let http = try client(server.baseURL)
            var throttledRequest = Self.request
            throttledRequest.path = "/throttle"
            #expect(try await http.send(throttledRequest).status == .ok)
            #expect(server.requestCount("/throttle") == 2)
            var badRequest = Self.request
            badRequest.path = "/bad"
            let response = try await http.send(badRequest)
            #expect(response.status == .badRequest)
            #expect(http.decodeError(response).code == "InvalidParameterValue")
            #expect(server.requestCount("/bad") == 1)
        }
    }

    @Test func attemptsStopAtTheMaximumAndTheLastAnswerIsReturned() async throws {
        let server = try await FakeHTTPServer.start { _ in .init(status: .internalServerError, body: "InternalError: boom") }
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let response = try await client(server.baseURL).send(Self.request)
            #expect(response.status == .internalServerError)
            #expect(server.totalRequestCount == 3)
        }
    }

    @Test func anEmptyRetryQuotaStopsRetrying() async throws {
        let server = try await FakeHTTPServer.start { _ in .init(status: .serviceUnavailable, body: "ServiceUnavailable: down") }
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let http = try client(server.baseURL, retry: RetryConfiguration(maximumAttempts: 5, baseDelay: .milliseconds(1), quotaCapacity: 10))
            _ = try await http.send(Self.request)  // 1 + 2 retries (5 tokens each)
            #expect(server.totalRequestCount == 3)
            #expect(http.retryTokensAvailable == 0)
            _ = try await http.send(Self.request)  // no tokens: no retry
            #expect(server.totalRequestCount == 4)
        }
    }

    @Test func aBodyThatCannotBeReplayedIsNeverRetried() async throws {
        let server = try await FakeHTTPServer.start { _ in .init(status: .serviceUnavailable, body: "ServiceUnavailable: down") }
        try await withTearDown {
            try await server.shutdown()
        } body: {
            var request = Self.request
            request.body = .stream(payload: .unsigned, length: 2, replayable: false) { _ in .bytes(ByteBuffer(string: "{}")) }
            _ = try await client(server.baseURL).send(request)
            #expect(server.totalRequestCount == 1)
        }
    }

    @Test func aSkewedClockIsCorrectedFromTheServersDate() async throws {
        let serverNow = Date().addingTimeInterval(3_600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let serverDate = formatter.string(from: serverNow)
        let server = try await FakeHTTPServer.start { request in
            guard let signed = request.headers.first(name: "X-Amz-Date").flatMap(AMZDate.parse),
                abs(signed.timeIntervalSince(serverNow)) < 300
            else {
                return .init(status: .forbidden, headers: ["Date": serverDate], body: "RequestTimeTooSkewed: the difference is too large")
            }
            return .ok("{}")
        }
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let http = try client(server.baseURL, retry: .none)
            #expect(try await http.send(Self.request).status == .ok)
            #expect(server.totalRequestCount == 2)
            let skew = http.clockSkewCorrection - .seconds(3_600)
            #expect(skew < .seconds(10) && skew > .seconds(-10))
        }
    }

    @Test func aConnectionDroppedMidBodyIsRetried() async throws {
        let good = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
        let cut = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"partial"
        let server = try await ScriptedTCPServer.start(replies: [cut, good])
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let response = try await client(server.baseURL).send(Self.request)
            #expect(String(buffer: response.body) == "{}")
            #expect(server.connectionCount == 2)
        }
    }

    @Test func aServerThatKeepsDroppingConnectionsIsANetworkErrorNamingTheOperation() async throws {
        let server = try await ScriptedTCPServer.start(replies: ["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"])
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let error = try await #require(throws: AWSTransportError.self) { try await client(server.baseURL).send(Self.request) }
            #expect(error.code == .networkError)
            #expect(error.attempts == 3)
            #expect(error.message.contains("Test"))
        }
    }

    @Test func aRefusedConnectionIsANetworkError() async throws {
        let error = try await #require(throws: AWSTransportError.self) {
            try await client("http://127.0.0.1:1", retry: RetryConfiguration(maximumAttempts: 2, baseDelay: .milliseconds(1))).send(Self.request)
        }
        #expect(error.code == .networkError)
        #expect(error.attempts == 2)
    }

    @Test func responsesLargerThanTheLimitAreRefused() async throws {
        let server = try await FakeHTTPServer.start { _ in .ok(String(repeating: "x", count: 2_000)) }
        try await withTearDown {
            try await server.shutdown()
        } body: {
            let endpoint = try #require(AWSEndpoint(url: server.baseURL))
            let http = AWSHTTPClient(
                configuration: AWSClientConfiguration(
                    region: "us-east-1", endpoint: endpoint,
                    credentialProvider: StaticCredentialProvider(credentials: Self.credentials),
                    maximumResponseBytes: 1_000), service: .sqs
            ) { _ in nil }
            let error = try await #require(throws: AWSTransportError.self) { try await http.send(Self.request) }
            #expect(error.code == .responseTooLarge)
        }
    }

    @Test func requestsAreSignedForTheServiceAndRegion() async throws {
        let authorization = Mutex<String?>(nil)
        let server = try await FakeHTTPServer.start { request in
            authorization.withLock { $0 = request.headers.first(name: "Authorization") }
            return .ok("{}")
        }
        try await withTearDown {
            try await server.shutdown()
        } body: {
            _ = try await client(server.baseURL).send(Self.request)
            let header = try #require(authorization.withLock { $0 })
            #expect(header.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
            #expect(header.contains("/us-east-1/sqs/aws4_request"))
        }
    }

    @Test func backoffIsFullJitterUnderAnExponentialCap() {
        let retry = RetryConfiguration(maximumAttempts: 10, baseDelay: .milliseconds(100), maximumDelay: .seconds(1))
        #expect(retry.delay(beforeRetry: 1, random: 0.999) < .milliseconds(100))
        #expect(retry.delay(beforeRetry: 3, random: 0.999) < .milliseconds(400))
        #expect(retry.delay(beforeRetry: 3, random: 0.999) > .milliseconds(390))
        #expect(retry.delay(beforeRetry: 9, random: 0.999) <= .seconds(1))
        #expect(retry.delay(beforeRetry: 60, random: 0.5) == .milliseconds(500))
        #expect(retry.delay(beforeRetry: 2, random: 0) == .zero)
    }
}
