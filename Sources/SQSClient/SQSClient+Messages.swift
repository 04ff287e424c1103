import AWSClientRuntime
import Crypto
import Foundation

extension SQSClient {
    // MARK: Sending

    /// Sends one message; checks SQS's MD5 of the body against ours.
    @discardableResult
    public func send(_ message: SQSOutgoingMessage, to queueURL: String) async throws -> SQSSendResult {
        try checkSize(message)
        let output: SendMessageOutput = try await call("SendMessage", SendMessageInput(queueURL: queueURL, message: message))
        if let md5 = output.MD5OfMessageBody, md5 != Self.md5(message.body) {
            throw SQSError(code: .checksumMismatch, message: "SQS's MD5 of the sent body (\(md5)) differs from ours: the body was altered on the way")
        }
        return SQSSendResult(messageID: output.MessageId, sequenceNumber: output.SequenceNumber)
    }

    /// Sends any number of messages with `SendMessageBatch`, split into calls of at most 10 entries and
    /// 256 KiB. Entries SQS rejects are reported in the result by input index, not thrown.
    public func sendBatch(_ messages: [SQSOutgoingMessage], to queueURL: String) async throws -> SQSBatchResult<SQSSendResult> {
        for message in messages { try checkSize(message) }
        var result = SQSBatchResult<SQSSendResult>()
        for group in Self.batches(of: messages.indices.map { ($0, messages[$0].size) }, limit: maximumMessageBytes) {
            let entries = group.map { SendMessageBatchEntry(id: String($0), message: messages[$0]) }
            let output: BatchOutput = try await call("SendMessageBatch", BatchInput(QueueUrl: queueURL, Entries: entries))
            for entry in output.Successful ?? [] {
                guard let index = Int(entry.Id), messages.indices.contains(index), let messageID = entry.MessageId else { continue }
                if let md5 = entry.MD5OfMessageBody, md5 != Self.md5(messages[index].body) {
                    result.failed[index] = SQSBatchFailure(code: .checksumMismatch, message: "SQS's MD5 of the body differs from ours", senderFault: false)
                } else {
                    result.successful[index] = SQSSendResult(messageID: messageID, sequenceNumber: entry.SequenceNumber)
                }
            }
            Self.collectFailures(output, into: &result)
        }
        return result
    }

    // MARK: Receiving

    /// Long-polls for up to `maximumMessages` (1…10) messages, waiting up to `waitTime` seconds (0…20).
    ///
    /// System attributes (`ApproximateReceiveCount`, `SentTimestamp`, `ApproximateFirstReceiveTimestamp`…) and
    /// all message attributes come with each message; every body is checked against its MD5. Cancelling
    /// the calling task ends the poll at once with `CancellationError`.
    public func receive(
        from queueURL: String, maximumMessages: Int = 10, waitTime: Int = 20,
        visibilityTimeout: Int? = nil
    ) async throws -> [SQSMessage] {
        guard (1...10).contains(maximumMessages) else {
            throw SQSError(code: .invalidParameterValue, message: "maximumMessages must be 1…10, not \(maximumMessages)")
        }
        guard (0...20).contains(waitTime) else {
            throw SQSError(code: .invalidParameterValue, message: "waitTime must be 0…20 seconds, not \(waitTime)")
        }
        let input = ReceiveMessageInput(
            QueueUrl: queueURL, MaxNumberOfMessages: maximumMessages, WaitTimeSeconds: waitTime,
            VisibilityTimeout: visibilityTimeout, AttributeNames: ["All"],
            MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"])
        let timeout = http.configuration.requestTimeout + .seconds(waitTime)
        let output: ReceiveMessageOutput = try await call("ReceiveMessage", input, timeout: timeout)
        let messages = output.Messages ?? []
        for message in messages where message.md5OfBody != Self.md5(message.body) {
            throw SQSError(code: .checksumMismatch, message: "message \(message.messageID): the body does not match its MD5 (\(message.md5OfBody))")
        }
        return messages
    }

    // MARK: Deleting and visibility

    /// Deletes a received message. Throws when SQS does not confirm it (e.g. `ReceiptHandleIsInvalid`).
    public func delete(receiptHandle: String, from queueURL: String) async throws {
        let _: EmptyOutput = try await call("DeleteMessage", DeleteMessageInput(QueueUrl: queueURL, ReceiptHandle: receiptHandle))
    }

    /// Deletes many messages, 10 per call; each entry's failure is reported by input index.
    public func deleteBatch(receiptHandles: [String], from queueURL: String) async throws -> SQSBatchResult<Bool> {
        var result = SQSBatchResult<Bool>()
        for group in Self.groups(of: Array(receiptHandles.indices)) {
            let entries = group.map { DeleteMessageBatchEntry(Id: String($0), ReceiptHandle: receiptHandles[$0]) }
            let output: BatchOutput = try await call("DeleteMessageBatch", BatchInput(QueueUrl: queueURL, Entries: entries))
            Self.collectSuccesses(output, into: &result)
            Self.collectFailures(output, into: &result)
        }
        return result
    }

    /// Sets how long a received message stays invisible, counted from now (0 hands it back at once).
    public func changeVisibility(receiptHandle: String, in queueURL: String, timeout: Int) async throws {
        let _: EmptyOutput = try await call(
            "ChangeMessageVisibility",
            ChangeMessageVisibilityInput(QueueUrl: queueURL, ReceiptHandle: receiptHandle, VisibilityTimeout: timeout))
    }

    /// Changes the visibility of many messages, 10 per call; each entry's failure is reported by input index.
    public func changeVisibilityBatch(_ changes: [(receiptHandle: String, timeout: Int)], in queueURL: String) async throws -> SQSBatchResult<Bool> {
        var result = SQSBatchResult<Bool>()
        for group in Self.groups(of: Array(changes.indices)) {
            let entries = group.map {
                ChangeMessageVisibilityBatchEntry(
                    Id: String($0), ReceiptHandle: changes[$0].receiptHandle,
                    VisibilityTimeout: changes[$0].timeout)
            }
            let output: BatchOutput = try await call("ChangeMessageVisibilityBatch", BatchInput(QueueUrl: queueURL, Entries: entries))
            Self.collectSuccesses(output, into: &result)
            Self.collectFailures(output, into: &result)
        }
        return result
    }

    // MARK: Helpers

    /// The lower-case hex MD5 of the UTF-8 body, as SQS computes `MD5OfMessageBody`.
    static func md5(_ body: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(32)
        for byte in Insecure.MD5.hash(data: Array(body.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private func checkSize(_ message: SQSOutgoingMessage) throws {
        guard message.size <= maximumMessageBytes else {
            throw SQSError(code: .messageTooLarge, message: "a message of \(message.size) bytes exceeds SQS's limit of \(maximumMessageBytes) bytes")
        }
    }

    /// Consecutive groups of at most 10 indices.
    static func groups(of indices: [Int]) -> [[Int]] {
        stride(from: 0, to: indices.count, by: 10).map { Array(indices[$0..<min($0 + 10, indices.count)]) }
    }

    /// Groups of at most 10 entries whose sizes add up to at most `limit` bytes.
    static func batches(of entries: [(index: Int, size: Int)], limit: Int) -> [[Int]] {
        var batches: [[Int]] = []
        var current: [Int] = []
        var bytes = 0
        for entry in entries {
            if current.count == 10 || (bytes + entry.size > limit && !current.isEmpty) {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(entry.index)
            bytes += entry.size
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    private static func collectSuccesses(_ output: BatchOutput, into result: inout SQSBatchResult<Bool>) {
        for entry in output.Successful ?? [] {
            if let index = Int(entry.Id) { result.successful[index] = true }
        }
    }

    private static func collectFailures<Success>(_ output: BatchOutput, into result: inout SQSBatchResult<Success>) {
        for entry in output.Failed ?? [] {
            guard let index = Int(entry.Id) else { continue }
            result.failed[index] = SQSBatchFailure(
                code: SQSError.Code(rawValue: entry.Code), message: entry.Message ?? "",
                senderFault: entry.SenderFault ?? false)
        }
    }
}
