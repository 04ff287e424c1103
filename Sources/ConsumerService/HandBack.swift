import SQSClient
import ServiceSupport

extension JobQueue {
    /// Makes `messages` of `queueURL` visible again at once (ChangeMessageVisibilityBatch 0, ten at a time), as a
    /// shutdown does with what a long poll brought after it began: another consumer (or the next look) takes them
    /// at once instead of after their visibility timeout. Each call is bounded by `callTimeout` and runs to its end
    /// even when the caller is cancelled. Returns how many SQS confirmed; a failure leaves the rest to their
    /// visibility timeout.
    @discardableResult
    func handBack(_ messages: [SQSMessage], in queueURL: String, callTimeout: Duration) async -> Int {
        guard !messages.isEmpty else { return 0 }
        let changes = messages.map { (receiptHandle: $0.receiptHandle, timeout: 0) }
        return await uncancellable {
            var confirmed = 0
            for start in stride(from: 0, to: changes.count, by: 10) {
                let chunk = Array(changes[start..<min(start + 10, changes.count)])
                let result = try? await withTimeout(callTimeout, operation: "ChangeMessageVisibilityBatch") {
                    try await self.changeVisibilityBatch(chunk, in: queueURL)
                }
                confirmed += result?.successful.count ?? 0
            }
            return confirmed
        }
    }
}
