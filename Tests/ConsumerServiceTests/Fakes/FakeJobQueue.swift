@testable import ConsumerService
import SQSClient
import Synchronization

/// An in-memory ``JobQueue`` that records every call; `failing` makes the named operations throw.
final class FakeJobQueue: JobQueue {
    /// One recorded call.
    enum Call: Sendable, Equatable {
        case send(queueURL: String, body: String, attributes: [String: String])
        case delete(receiptHandle: String)
        case changeVisibility(receiptHandle: String, seconds: Int)
    }

    enum Operation: Sendable, Hashable { case send, delete, changeVisibility }

    private let state = Mutex<(calls: [Call], failing: Set<Operation>)>(([], []))

    init(failing: Set<Operation> = []) {
        state.withLock { $0.failing = failing }
    }

    /// Every call so far, in order.
    var calls: [Call] { state.withLock { $0.calls } }
    /// The receipt handles deleted so far.
    var deleted: [String] {
        calls.compactMap { if case .delete(let handle) = $0 { handle } else { nil } }
    }
    /// The visibility changes so far.
    var visibilityChanges: [Int] {
        calls.compactMap { if case .changeVisibility(_, let seconds) = $0 { seconds } else { nil } }
    }

    private func record(_ call: Call, _ operation: Operation) throws {
        let fails = state.withLock { state in
            state.calls.append(call)
            return state.failing.contains(operation)
        }
        if fails { throw SQSError(code: "ServiceUnavailable", message: "the fake queue is down") }
    }

    func send(_ message: SQSOutgoingMessage, to queueURL: String) async throws -> SQSSendResult {
        let attributes = message.attributes.compactMapValues(\.stringValue)
        try record(.send(queueURL: queueURL, body: message.body, attributes: attributes), .send)
        return SQSSendResult(messageID: "sent-\(calls.count)")
    }

    func deleteBatch(receiptHandles: [String], from queueURL: String) async throws -> SQSBatchResult<Bool> {
        for handle in receiptHandles { try record(.delete(receiptHandle: handle), .delete) }
        return SQSBatchResult(successful: Dictionary(uniqueKeysWithValues: receiptHandles.indices.map { ($0, true) }))
    }

    func changeVisibility(receiptHandle: String, in queueURL: String, timeout: Int) async throws {
        try record(.changeVisibility(receiptHandle: receiptHandle, seconds: timeout), .changeVisibility)
    }

    func changeVisibilityBatch(_ changes: [(receiptHandle: String, timeout: Int)], in queueURL: String) async throws -> SQSBatchResult<Bool> {
        for change in changes { try record(.changeVisibility(receiptHandle: change.receiptHandle, seconds: change.timeout), .changeVisibility) }
        return SQSBatchResult(successful: Dictionary(uniqueKeysWithValues: changes.indices.map { ($0, true) }))
    }
}
