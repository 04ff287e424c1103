import SQSClient

/// Deletes finished messages in batches: deletions that arrive within a short window (or ten of them) go out as
/// one DeleteMessageBatch, so a consumer finishing many short jobs makes a tenth of the calls. Each caller
/// still learns its own message's outcome (a stale receipt handle is that entry's error, not the batch's).
actor MessageDeleter {
    private let sqs: SQSClient
    private let queueURL: String
    private let window: Duration
    private var pending: [(receiptHandle: String, continuation: CheckedContinuation<Void, any Error>)] = []
    private var flushScheduled = false

    /// A deleter for `queueURL` that waits at most `window` for a batch to fill.
    init(sqs: SQSClient, queueURL: String, window: Duration = .milliseconds(5)) {
        self.sqs = sqs
        self.queueURL = queueURL
        self.window = window
    }

    /// Deletes the message with `receiptHandle` (with the next batch).
    func delete(receiptHandle: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pending.append((receiptHandle, continuation))
            if pending.count >= 10 {
                let batch = takeBatch()
                Task { await send(batch) }
            } else if !flushScheduled {
                flushScheduled = true
                Task {
                    try? await Task.sleep(for: window)
                    await flushAfterWindow()
                }
            }
        }
    }

    private func flushAfterWindow() async {
        flushScheduled = false
        while !pending.isEmpty {
            await send(takeBatch())
        }
    }

    private func takeBatch() -> [(receiptHandle: String, continuation: CheckedContinuation<Void, any Error>)] {
        let batch = Array(pending.prefix(10))
        pending.removeFirst(batch.count)
        return batch
    }

    private func send(_ batch: [(receiptHandle: String, continuation: CheckedContinuation<Void, any Error>)]) async {
        guard !batch.isEmpty else { return }
        do {
            let result = try await sqs.deleteBatch(receiptHandles: batch.map(\.receiptHandle), from: queueURL)
            for (index, entry) in batch.enumerated() {
                if let failure = result.failed[index] {
                    entry.continuation.resume(throwing: SQSError(code: failure.code, message: failure.message))
                } else {
                    entry.continuation.resume()
                }
            }
        } catch {
            for entry in batch { entry.continuation.resume(throwing: error) }
        }
    }
}
