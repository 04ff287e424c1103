import Logging
import SQSClient
import ServiceSupport

/// Deletes finished messages in batches: deletions that arrive within a short window (or ten of them) go out as
/// one DeleteMessageBatch, so a consumer finishing many short jobs makes a tenth of the calls.
///
/// A job hands its message over with ``enqueue(receiptHandle:logger:)`` and gives its slot back at once: the
/// deletion's round trip overlaps the next receive instead of holding the slot. A deletion that fails is logged
/// with the job's logger (the message then comes back, and the record's final status makes the next receive
/// delete it without work). ``flush()`` returns when every deletion handed over so far has been answered; the
/// consumer calls it before it exits.
actor MessageDeleter {
    private struct Entry {
        var receiptHandle: String
        var logger: Logger
    }

    private let sqs: any JobQueue
    private let queueURL: String
    private let window: Duration
    private let callTimeout: Duration
    private var pending: [Entry] = []
    private var flushScheduled = false
    private var sending = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// A deleter for `queueURL` that waits at most `window` for a batch to fill, and at most `callTimeout` for SQS
    /// to answer a batch (a message not deleted comes back, and is deleted without work once its record is final).
    init(sqs: any JobQueue, queueURL: String, window: Duration = .milliseconds(5), callTimeout: Duration = .seconds(10)) {
        self.sqs = sqs
        self.queueURL = queueURL
        self.window = window
        self.callTimeout = callTimeout
    }

    /// Queues the message with `receiptHandle` for deletion with the next batch, and returns.
    func enqueue(receiptHandle: String, logger: Logger) {
        pending.append(Entry(receiptHandle: receiptHandle, logger: logger))
        if pending.count >= 10 {
            send(takeBatch())
        } else if !flushScheduled {
            flushScheduled = true
            Task {
                try? await Task.sleep(for: window)
                self.flushAfterWindow()
            }
        }
    }

    /// Returns when every deletion queued so far has been sent and answered (sending what waits for its window now).
    func flush() async {
        sendPending()
        guard sending > 0 else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func flushAfterWindow() {
        flushScheduled = false
        sendPending()
    }

    /// Sends everything pending, ten at a time.
    private func sendPending() {
        while !pending.isEmpty { send(takeBatch()) }
    }

    private func takeBatch() -> [Entry] {
        let batch = Array(pending.prefix(10))
        pending.removeFirst(batch.count)
        return batch
    }

    private func send(_ batch: [Entry]) {
        guard !batch.isEmpty else { return }
        sending += 1
        Task {
            let failures = await deleteBatch(batch)
            for (entry, error) in failures {
                entry.logger.warning("cannot delete the message", metadata: ["error": "\(error)"])
            }
            self.sent()
        }
    }

    /// Sends one batch; returns the entries that were not deleted, with why.
    private nonisolated func deleteBatch(_ batch: [Entry]) async -> [(Entry, any Error)] {
        do {
            let (sqs, queueURL) = (sqs, queueURL)
            let handles = batch.map(\.receiptHandle)
            let result = try await withTimeout(callTimeout, operation: "DeleteMessageBatch") {
                try await sqs.deleteBatch(receiptHandles: handles, from: queueURL)
            }
            return batch.indices.compactMap { index in
                result.failed[index].map { (batch[index], SQSError(code: $0.code, message: $0.message)) }
            }
        } catch {
            return batch.map { ($0, error) }
        }
    }

    private func sent() {
        sending -= 1
        guard sending == 0, pending.isEmpty else { return }
        let waiters = idleWaiters
        idleWaiters = []
        for waiter in waiters { waiter.resume() }
    }
}
