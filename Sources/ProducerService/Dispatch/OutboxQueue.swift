import SQSClient

/// The one queue operation the ``OutboxDispatcher`` needs: sending a message. `SQSClient` is one; the decision
/// tests give an in-memory one, so the outbox's failure handling is tested without an emulator.
public protocol OutboxQueue: Sendable {
    /// Sends `message` to `queueURL`; returns what SQS answered (its message id above all).
    func send(_ message: SQSOutgoingMessage, to queueURL: String) async throws -> SQSSendResult
}

extension SQSClient: OutboxQueue {}
