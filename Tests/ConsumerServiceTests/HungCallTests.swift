import AWSClientRuntime
import AWSSigV4
import Foundation
import SQSClient
import TestSupport
import Testing

@testable import ConsumerService

/// SQS calls made for running jobs (the visibility heartbeat, the batched deletions) against an endpoint that
/// accepts and never answers: each is given up within its bound, not the client's 30 s × retries.
@Suite struct HungCallTests {
    static func hungSQS() async throws -> (SQSClient, FakeHTTPServer) {
        let server = try await FakeHTTPServer.start { _ in
            try? await Task.sleep(for: .seconds(60))
            return .reply(.ok)
        }
        guard let endpoint = AWSEndpoint(url: server.baseURL) else { throw EmulatorError("bad URL \(server.baseURL)") }
        let sqs = SQSClient(
            configuration: AWSClientConfiguration(
                region: "us-east-1", endpoint: endpoint,
                credentialProvider: StaticCredentialProvider(credentials: Credentials(accessKeyID: "test", secretAccessKey: "test")),
                retry: .standard, requestTimeout: .seconds(30)))
        return (sqs, server)
    }

    @Test func aHeartbeatThatHangsIsGivenUpWithinItsBound() async throws {
        let (sqs, server) = try await Self.hungSQS()
        try await withTearDown {
            try? await server.shutdown()
        } body: {
            let heartbeat = VisibilityHeartbeat(
                sqs: sqs, queueURL: server.baseURL + "/000000000000/jobs", visibilityTimeout: 30,
                interval: .milliseconds(500), callTimeout: .milliseconds(500), metrics: ConsumerMetrics(),
                logger: ConsumerHarness.logger)
            heartbeat.register(messageID: "m1", receiptHandle: "r1", signal: AbortSignal())
            let start = ContinuousClock.now
            await heartbeat.beat()
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(server.totalRequestCount >= 1, "the call was made")
        }
    }

    @Test func aDeletionThatHangsIsGivenUpWithinTheCallTimeout() async throws {
        let (sqs, server) = try await Self.hungSQS()
        try await withTearDown {
            try? await server.shutdown()
        } body: {
            let deleter = MessageDeleter(sqs: sqs, queueURL: server.baseURL + "/000000000000/jobs", callTimeout: .milliseconds(500))
            await deleter.enqueue(receiptHandle: "r1", logger: ConsumerHarness.logger)
            let start = ContinuousClock.now
            await deleter.flush()
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(server.totalRequestCount >= 1, "the call was made")
        }
    }
}
