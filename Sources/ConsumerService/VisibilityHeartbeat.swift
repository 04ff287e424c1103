import Logging
import SQSClient
import ServiceSupport
import Synchronization

/// Keeps the messages of running jobs invisible: every ``interval`` one batched ChangeMessageVisibility
/// sets each registered message's visibility to ``visibilityTimeout`` seconds from now.
///
/// An entry that SQS rejects because its receipt handle is stale (the message expired and another consumer
/// received it, or it is gone) aborts that job with ``AbortReason/lostMessage``: it must not publish results.
/// A call that fails as a whole (network, throttling) or outlasts `max(interval, callTimeout)` is given up and retried
/// on the next beat; with the interval at most a third of the timeout by default, two beats can fail before a message
/// expires.
///
/// A late beat can let a running job's message expire and come back to this very consumer; ``adopt(_:)`` then keeps
/// the job and makes the new receive the one extended and, at the end, deleted (SQS honours the latest receipt
/// handle only).
final class VisibilityHeartbeat: Sendable {
    struct Entry: Sendable {
        var receiptHandle: String
        var signal: AbortSignal
        /// The latest receive's `ApproximateReceiveCount`, when known.
        var receiveCount: Int?
    }

    let sqs: any JobQueue
    let queueURL: String
    let visibilityTimeout: Int
    let interval: Duration
    /// The least a beat's call is given (``ConsumerConfiguration/sqsCallTimeout``); a longer interval gives it that.
    let callTimeout: Duration
    let metrics: ConsumerMetrics
    let logger: Logger
    private let entries = Mutex<[String: Entry]>([:])

    init(
        sqs: any JobQueue, queueURL: String, visibilityTimeout: Int, interval: Duration, callTimeout: Duration = .seconds(10),
        metrics: ConsumerMetrics, logger: Logger
    ) {
        self.sqs = sqs
        self.queueURL = queueURL
        self.visibilityTimeout = visibilityTimeout
        self.interval = interval
        self.callTimeout = callTimeout
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts extending `messageID`'s visibility.
    func register(messageID: String, receiptHandle: String, signal: AbortSignal, receiveCount: Int? = nil) {
        entries.withLock { $0[messageID] = Entry(receiptHandle: receiptHandle, signal: signal, receiveCount: receiveCount) }
    }

    /// Whether `message` belongs to a job running here; if so its receipt handle and receive count replace the
    /// registered ones, so the job keeps it, the beats extend it and the job's end settles it.
    func adopt(_ message: SQSMessage) -> Bool {
        entries.withLock { entries in
            guard var entry = entries[message.messageID] else { return false }
            entry.receiptHandle = message.receiptHandle
            entry.receiveCount = message.approximateReceiveCount ?? entry.receiveCount
            entries[message.messageID] = entry
            return true
        }
    }

    /// `message` with the receipt handle and receive count of its latest receive adopted here (itself if none was).
    func latest(_ message: SQSMessage) -> SQSMessage {
        guard let entry = entries.withLock({ $0[message.messageID] }) else { return message }
        var latest = message
        latest.receiptHandle = entry.receiptHandle
        if let count = entry.receiveCount { latest.attributes["ApproximateReceiveCount"] = String(count) }
        return latest
    }

    /// Stops extending `messageID`'s visibility.
    func unregister(messageID: String) {
        _ = entries.withLock { $0.removeValue(forKey: messageID) }
    }

    /// Whether `code` is what SQS answers for a receipt handle that no longer holds the message:
    /// `ReceiptHandleIsInvalid`, `MessageNotInflight` or `InvalidParameterValue` ("Message does not exist or is
    /// not available for visibility timeout change"), with or without the `AWS.SimpleQueueService.` prefix and
    /// the `Exception` suffix the JSON protocol (and LocalStack) may add. The visibility we ask for is validated
    /// at start-up, so an invalid parameter can only be the handle.
    static func isStaleReceiptHandle(_ code: SQSError.Code) -> Bool {
        var name = Substring(code.rawValue)
        if name.hasPrefix("AWS.SimpleQueueService.") { name = name.dropFirst("AWS.SimpleQueueService.".count) }
        if name.hasSuffix("Exception") { name = name.dropLast("Exception".count) }
        return ["ReceiptHandleIsInvalid", "MessageNotInflight", "InvalidParameterValue"].contains(name)
    }

    /// Beats until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            await beat()
        }
    }

    /// Extends every registered message once.
    func beat() async {
        let snapshot = entries.withLock { Array($0) }
        guard !snapshot.isEmpty else { return }
        do {
            let (sqs, queueURL) = (sqs, queueURL)
            let changes = snapshot.map { ($0.value.receiptHandle, visibilityTimeout) }
            let result = try await withTimeout(max(interval, callTimeout), operation: "ChangeMessageVisibilityBatch") {
                try await sqs.changeVisibilityBatch(changes, in: queueURL)
            }
            metrics.visibilityExtension("extended", count: result.successful.count)
            for (index, failure) in result.failed {
                let (messageID, entry) = snapshot[index]
                if Self.isStaleReceiptHandle(failure.code) {
                    // Received again here meanwhile (or finished): the newer handle is extended on the next beat.
                    let replaced = entries.withLock { $0[messageID].map { $0.receiptHandle != entry.receiptHandle } ?? true }
                    if replaced { continue }
                    metrics.visibilityExtension("stale")
                    logger.warning(
                        "visibility extension refused: the receipt handle is stale, abandoning the job",
                        metadata: ["message_id": "\(messageID)", "code": "\(failure.code)", "reason": "\(failure.message)"])
                    entry.signal.trigger(.lostMessage)
                } else {
                    metrics.visibilityExtension("error")
                    logger.warning("visibility extension failed", metadata: ["message_id": "\(messageID)", "code": "\(failure.code)"])
                }
            }
        } catch is CancellationError {
            return
        } catch {
            metrics.visibilityExtension("error", count: snapshot.count)
            logger.warning("visibility extension call failed; retrying on the next beat", metadata: ["error": "\(error)"])
        }
    }
}
