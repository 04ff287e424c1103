import Foundation
import SQSClient

/// What the consumer learns from the jobs queue's attributes at start-up: the redrive limit and the
/// dead-letter queue.
public struct QueueSettings: Sendable, Equatable {
    /// The receive count at which SQS moves a message to the DLQ (`nil`: no redrive policy).
    public var maximumReceiveCount: Int?
    /// The dead-letter queue's URL (`nil`: none configured and none in the redrive policy).
    public var deadLetterQueueURL: String?

    public init(maximumReceiveCount: Int?, deadLetterQueueURL: String?) {
        self.maximumReceiveCount = maximumReceiveCount
        self.deadLetterQueueURL = deadLetterQueueURL
    }

    /// Parses a `RedrivePolicy` attribute: `{"deadLetterTargetArn":"arn:aws:sqs:…:name","maxReceiveCount":"5"}`
    /// (the count may be a string or a number).
    public static func parseRedrivePolicy(_ text: String) -> (maximumReceiveCount: Int?, deadLetterTargetARN: String?) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return (nil, nil) }
        let count: Int? =
            switch object["maxReceiveCount"] {
            case let number as NSNumber: number.intValue
            case let string as String: Int(string)
            default: nil
            }
        return (count, object["deadLetterTargetArn"] as? String)
    }

    /// Reads the queue's `RedrivePolicy`; configured values (non-`nil` arguments) win. The DLQ's URL is
    /// looked up by the name at the end of its ARN.
    public static func resolve(sqs: SQSClient, queueURL: String, configuredDLQ: String?, configuredMaximum: Int?) async throws -> QueueSettings {
        let attributes = try await sqs.attributes(of: queueURL, names: ["RedrivePolicy"])
        let policy: (maximumReceiveCount: Int?, deadLetterTargetARN: String?) = attributes["RedrivePolicy"].map(parseRedrivePolicy) ?? (nil, nil)
        var dlq = configuredDLQ
        if dlq == nil, let arn = policy.deadLetterTargetARN, let name = arn.split(separator: ":").last {
            dlq = try await sqs.queueURL(named: String(name))
        }
        return QueueSettings(maximumReceiveCount: configuredMaximum ?? policy.maximumReceiveCount, deadLetterQueueURL: dlq)
    }
}
