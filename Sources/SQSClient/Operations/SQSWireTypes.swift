import Foundation

// The JSON shapes of the AWS JSON 1.0 protocol for the SQS actions the client uses.

struct QueueNameInput: Encodable {
    var QueueName: String
    var Attributes: [String: String]?
    var tags: [String: String]?
    var QueueOwnerAWSAccountId: String?
}

struct QueueURLInput: Encodable {
    var QueueUrl: String
}

struct QueueURLOutput: Decodable {
    var QueueUrl: String
}

struct GetQueueAttributesInput: Encodable {
    var QueueUrl: String
    var AttributeNames: [String]
}

struct AttributesOutput: Decodable {
    var Attributes: [String: String]?
}

struct SetQueueAttributesInput: Encodable {
    var QueueUrl: String
    var Attributes: [String: String]
}

struct ListQueuesInput: Encodable {
    var QueueNamePrefix: String?
    var MaxResults: Int?
    var NextToken: String?
}

struct ListQueuesOutput: Decodable {
    var QueueUrls: [String]?
    var NextToken: String?
}

struct SendMessageInput: Encodable {
    var QueueUrl: String
    var MessageBody: String
    var DelaySeconds: Int?
    var MessageAttributes: [String: SQSMessageAttributeValue]?
    var MessageGroupId: String?
    var MessageDeduplicationId: String?

    init(queueURL: String, message: SQSOutgoingMessage) {
        QueueUrl = queueURL
        MessageBody = message.body
        DelaySeconds = message.delaySeconds
        MessageAttributes = message.attributes.isEmpty ? nil : message.attributes
        MessageGroupId = message.groupID
        MessageDeduplicationId = message.deduplicationID
    }
}

struct SendMessageOutput: Decodable {
    var MessageId: String
    var MD5OfMessageBody: String?
    var SequenceNumber: String?
}

struct SendMessageBatchEntry: Encodable {
    var Id: String
    var MessageBody: String
    var DelaySeconds: Int?
    var MessageAttributes: [String: SQSMessageAttributeValue]?
    var MessageGroupId: String?
    var MessageDeduplicationId: String?

    init(id: String, message: SQSOutgoingMessage) {
        Id = id
        MessageBody = message.body
        DelaySeconds = message.delaySeconds
        MessageAttributes = message.attributes.isEmpty ? nil : message.attributes
        MessageGroupId = message.groupID
        MessageDeduplicationId = message.deduplicationID
    }
}

struct BatchInput<Entry: Encodable>: Encodable {
    var QueueUrl: String
    var Entries: [Entry]
}

struct BatchResultEntry: Decodable {
    var Id: String
    var MessageId: String?
    var MD5OfMessageBody: String?
    var SequenceNumber: String?
}

struct BatchErrorEntry: Decodable {
    var Id: String
    var Code: String
    var Message: String?
    var SenderFault: Bool?
}

struct BatchOutput: Decodable {
    var Successful: [BatchResultEntry]?
    var Failed: [BatchErrorEntry]?
}

struct ReceiveMessageInput: Encodable {
    var QueueUrl: String
    var MaxNumberOfMessages: Int
    var WaitTimeSeconds: Int
    var VisibilityTimeout: Int?
    var AttributeNames: [String]
    var MessageSystemAttributeNames: [String]
    var MessageAttributeNames: [String]
}

struct ReceiveMessageOutput: Decodable {
    var Messages: [SQSMessage]?
}

struct DeleteMessageInput: Encodable {
    var QueueUrl: String
    var ReceiptHandle: String
}

struct DeleteMessageBatchEntry: Encodable {
    var Id: String
    var ReceiptHandle: String
}

struct ChangeMessageVisibilityInput: Encodable {
    var QueueUrl: String
    var ReceiptHandle: String
    var VisibilityTimeout: Int
}

struct ChangeMessageVisibilityBatchEntry: Encodable {
    var Id: String
    var ReceiptHandle: String
    var VisibilityTimeout: Int
}

/// An action without output fields.
struct EmptyOutput: Decodable {}
