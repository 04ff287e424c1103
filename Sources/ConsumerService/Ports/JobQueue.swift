import SQSClient

/// The queue operations a consumer's message handling needs after a message is received: ``SQSClient`` in
/// production, an in-memory fake in the decision tests.
protocol JobQueue: Sendable {
    /// Sends `message` to `queueURL` (the dead-letter queue).
    @discardableResult
    func send(_ message: SQSOutgoingMessage, to queueURL: String) async throws -> SQSSendResult
    /// Deletes up to ten messages.
    func deleteBatch(receiptHandles: [String], from queueURL: String) async throws -> SQSBatchResult<Bool>
    /// Sets one message's visibility timeout (seconds).
    func changeVisibility(receiptHandle: String, in queueURL: String, timeout: Int) async throws
    /// Sets up to ten messages' visibility timeouts.
    func changeVisibilityBatch(_ changes: [(receiptHandle: String, timeout: Int)], in queueURL: String) async throws -> SQSBatchResult<Bool>
}

extension SQSClient: JobQueue {}
