import SQSClient
import ServiceLifecycle
import Synchronization

@testable import ConsumerService

/// An in-memory ``JobQueue`` that records every call; `failing` makes the named operations throw. Receives are
/// answered by the poll answerer of their queue (``answerPolls(of:_:)``); without one a receive waits, as an idle long
/// poll does, until a graceful shutdown begins or it is cancelled, and returns nothing.
final class FakeJobQueue: JobQueue {
    /// Answers one receive of a queue: given how many messages it may return, the messages it returns.
    typealias PollAnswerer = @Sendable (_ maximumMessages: Int) async throws -> [SQSMessage]
    /// One recorded call.
    enum Call: Sendable, Equatable {
        case send(queueURL: String, body: String, attributes: [String: String])
        case delete(receiptHandle: String)
        case changeVisibility(receiptHandle: String, seconds: Int)
    }

    enum Operation: Sendable, Hashable { case send, delete, changeVisibility }

    /// A message a send put in a queue.
    struct SentMessage: Sendable, Equatable {
        var queueURL: String
        var messageID: String
        var body: String
        var delaySeconds: Int?
    }

    private let state = Mutex<(calls: [Call], failing: Set<Operation>, sent: [SentMessage])>(([], [], []))
    private let answerers = Mutex<[String: PollAnswerer]>([:])
    private let polls = Mutex<
        (
            counts: [String: Int], waitTimes: [String: [Int]],
            waiters: [(queueURL: String, continuation: CheckedContinuation<Void, Never>)]
        )
    >(([:], [:], []))

    init(failing: Set<Operation> = []) {
        state.withLock { $0.failing = failing }
    }

    /// Answers the receives of `queueURL` with `answerer` from now on.
    func answerPolls(of queueURL: String, _ answerer: @escaping PollAnswerer) {
        answerers.withLock { $0[queueURL] = answerer }
    }

    /// How many receives of `queueURL` have begun.
    func pollCount(of queueURL: String) -> Int {
        polls.withLock { $0.counts[queueURL, default: 0] }
    }

    /// The wait times (seconds) the receives of `queueURL` asked for, in order.
    func pollWaitTimes(of queueURL: String) -> [Int] {
        polls.withLock { $0.waitTimes[queueURL, default: []] }
    }

    /// Returns once `count` receives of `queueURL` have begun.
    func pollsBegan(of queueURL: String, count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let reached = polls.withLock { polls in
                if polls.counts[queueURL, default: 0] >= count { return true }
                polls.waiters.append((queueURL, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
        if pollCount(of: queueURL) < count { await pollsBegan(of: queueURL, count: count) }
    }

    func receive(from queueURL: String, maximumMessages: Int, waitTime: Int, visibilityTimeout: Int?) async throws -> [SQSMessage] {
        let woken = polls.withLock { polls in
            polls.counts[queueURL, default: 0] += 1
            polls.waitTimes[queueURL, default: []].append(waitTime)
            let woken = polls.waiters.filter { $0.queueURL == queueURL }.map(\.continuation)
            polls.waiters.removeAll { $0.queueURL == queueURL }
            return woken
        }
        for continuation in woken { continuation.resume() }
        if let answerer = answerers.withLock({ $0[queueURL] }) { return try await answerer(maximumMessages) }
        try await gracefulShutdown()
        return []
    }

    /// Every call so far, in order.
    var calls: [Call] { state.withLock { $0.calls } }
    /// The receipt handles deleted so far.
    var deleted: [String] {
        calls.compactMap { if case .delete(let handle) = $0 { handle } else { nil } }
    }
    /// The messages sent so far (the failed sends not included).
    var sent: [SentMessage] { state.withLock { $0.sent } }
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
        return state.withLock { state in
            let sent = SentMessage(queueURL: queueURL, messageID: "sent-\(state.sent.count + 1)", body: message.body, delaySeconds: message.delaySeconds)
            state.sent.append(sent)
            return SQSSendResult(messageID: sent.messageID)
        }
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
