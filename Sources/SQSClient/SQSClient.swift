import AWSClientRuntime
import AWSSigV4
import AsyncHTTPClient
import Foundation
import Logging

/// VideoQueue's hand-written Amazon SQS client (AWS JSON 1.0 protocol), signed with our SigV4 signer.
///
/// ```swift
/// let sqs = try SQSClient(configuration: AWSClientConfiguration(service: .sqs))   // AWS_REGION, AWS_ENDPOINT_URL_SQS…
/// let queue = try await sqs.queueURL(named: "videoqueue-jobs")
/// try await sqs.send(SQSOutgoingMessage(body: json), to: queue)
/// for message in try await sqs.receive(from: queue, maximumMessages: 10, waitTime: 20) { … }
/// ```
///
/// Every call retries transient failures (standard mode) and throws ``SQSError`` with the AWS error code
/// for the service's answers, ``AWSTransportError`` when no answer could be had, and `CancellationError`
/// when its task is cancelled (a long poll returns promptly).
public struct SQSClient: Sendable {
    let http: AWSHTTPClient
    /// The largest message (body and attributes) SQS accepts: 256 KiB.
    public var maximumMessageBytes: Int

    /// A client for the endpoint and credentials of `configuration`.
    public init(
        configuration: AWSClientConfiguration, httpClient: HTTPClient = .aws,
        logger: Logger = Logger(label: "videoqueue.sqs"), maximumMessageBytes: Int = 262_144
    ) {
        http = AWSHTTPClient(
            configuration: configuration, service: .sqs, httpClient: httpClient, logger: logger,
            errorDecoder: Self.decodeError)
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// The underlying HTTP layer (its retry quota and clock-skew state).
    public var httpLayer: AWSHTTPClient { http }

    // MARK: Queues

    /// Creates a queue (or returns the URL of an existing one with the same attributes).
    ///
    /// - Parameter attributes: e.g. `VisibilityTimeout`, `ReceiveMessageWaitTimeSeconds`, `RedrivePolicy`,
    ///   `FifoQueue` (FIFO names end in `.fifo`).
    @discardableResult
    public func createQueue(named name: String, attributes: [String: String] = [:], tags: [String: String] = [:]) async throws -> String {
        let output: QueueURLOutput = try await call(
            "CreateQueue",
            QueueNameInput(
                QueueName: name, Attributes: attributes.isEmpty ? nil : attributes,
                tags: tags.isEmpty ? nil : tags))
        return output.QueueUrl
    }

    /// The URL of the queue `name` (optionally owned by another account).
    public func queueURL(named name: String, ownerAccountID: String? = nil) async throws -> String {
        let output: QueueURLOutput = try await call("GetQueueUrl", QueueNameInput(QueueName: name, QueueOwnerAWSAccountId: ownerAccountID))
        return output.QueueUrl
    }

    /// Deletes a queue.
    public func deleteQueue(_ queueURL: String) async throws {
        let _: EmptyOutput = try await call("DeleteQueue", QueueURLInput(QueueUrl: queueURL))
    }

    /// A queue's attributes (`All` by default), e.g. `ApproximateNumberOfMessages`, `RedrivePolicy`.
    public func attributes(of queueURL: String, names: [String] = ["All"]) async throws -> [String: String] {
        let output: AttributesOutput = try await call("GetQueueAttributes", GetQueueAttributesInput(QueueUrl: queueURL, AttributeNames: names))
        return output.Attributes ?? [:]
    }

    /// Sets queue attributes.
    public func setAttributes(_ attributes: [String: String], of queueURL: String) async throws {
        let _: EmptyOutput = try await call("SetQueueAttributes", SetQueueAttributesInput(QueueUrl: queueURL, Attributes: attributes))
    }

    /// Deletes every message of a queue (SQS allows one purge per minute).
    public func purge(_ queueURL: String) async throws {
        let _: EmptyOutput = try await call("PurgeQueue", QueueURLInput(QueueUrl: queueURL))
    }

    /// The URLs of the queues whose names start with `prefix`, following pagination.
    public func listQueues(prefix: String? = nil) async throws -> [String] {
        var urls: [String] = []
        var token: String?
        repeat {
            let output: ListQueuesOutput = try await call("ListQueues", ListQueuesInput(QueueNamePrefix: prefix, MaxResults: 1000, NextToken: token))
            urls += output.QueueUrls ?? []
            token = output.NextToken
        } while token != nil
        return urls
    }
}
