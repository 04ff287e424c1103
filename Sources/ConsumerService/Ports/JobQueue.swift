import SQSClient

/// The queue operations a consumer needs: ``SQSClient`` in production, an in-memory fake in the decision tests and
/// the shutdown tests.
protocol JobQueue: Sendable {
    /// Long-polls `queueURL` for up to `maximumMessages` (1…10) messages, waiting up to `waitTime` seconds (0…20);
    /// each received message stays invisible for `visibilityTimeout` seconds (`nil`: the queue's own).
    func receive(from queueURL: String, maximumMessages: Int, waitTime: Int, visibilityTimeout: Int?) async throws -> [SQSMessage]
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
