import Foundation
import Logging
import Metrics
import ServiceLifecycle
import ServiceSupport
import SQSClient
import VideoCore
import VideoStore

/// Sends the outbox's messages to SQS and marks their records `queued`; retries unsent rows with
/// exponential backoff and full jitter until SQS answers, so an upload accepted while SQS is down is queued
/// as soon as SQS is back (and nothing is lost if the producer dies between storing and sending: the row
/// is still there at the next start).
///
/// It runs as a service; ``nudge()`` makes it look at once (after an upload) instead of at its next tick.
public final class OutboxDispatcher: Service, Sendable {
    let store: any VideoStore
    let sqs: SQSClient
    let queueURL: String
    let interval: Duration
    let backoff: Backoff
    let logger: Logger
    private let signal: AsyncStream<Void>
    private let signalContinuation: AsyncStream<Void>.Continuation

    public init(store: any VideoStore, sqs: SQSClient, queueURL: String, interval: Duration = .seconds(1),
                backoff: Backoff = Backoff(base: .milliseconds(500), cap: .seconds(60)), logger: Logger) {
        self.store = store
        self.sqs = sqs
        self.queueURL = queueURL
        self.interval = interval
        self.backoff = backoff
        self.logger = logger
        (signal, signalContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the dispatcher to look at the outbox now.
    public func nudge() { signalContinuation.yield() }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { [signalContinuation, interval] in
                    // A tick, so rescheduled rows are retried even when nothing nudges.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        signalContinuation.yield()
                    }
                }
                for await _ in signal {
                    if Task.isCancelled { break }
                    await dispatchDue()
                }
                group.cancelAll()
            }
        } onGracefulShutdown: { [signalContinuation] in
            signalContinuation.finish()
        }
    }

    /// Sends every due row once; returns how many were sent.
    @discardableResult
    public func dispatchDue() async -> Int {
        var sent = 0
        do {
            let due = try await store.dueOutbox(limit: 10)
            Gauge(label: "videoqueue_producer_outbox_depth").record(try await store.outboxDepth())
            for entry in due {
                if await send(entry) { sent += 1 }
            }
        } catch {
            logger.warning("outbox unreadable", metadata: ["error": "\(error)"])
        }
        return sent
    }

    private func send(_ entry: OutboxEntry) async -> Bool {
        do {
            let message = SQSOutgoingMessage(body: entry.payload, attributes: ["videoId": .string(entry.videoID.uuidString.lowercased())])
            let sent = try await sqs.send(message, to: queueURL)
            // The message id ties the record to this message (the consumer's dead-letter watcher checks it).
            _ = try await store.outboxSent(entryID: entry.id, videoID: entry.videoID, messageID: sent.messageID)
            Counter(label: "videoqueue_producer_messages_sent_total").increment()
            logger.debug("message sent", metadata: ["video-id": "\(entry.videoID)"])
            return true
        } catch {
            let wait = backoff.delay(afterAttempt: entry.attempts + 1)
            let notBefore = Date().addingTimeInterval(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            _ = try? await store.rescheduleOutbox(entryID: entry.id, notBefore: notBefore, error: "\(error)")
            Counter(label: "videoqueue_producer_message_send_failures_total").increment()
            logger.warning("message not sent; will retry", metadata: [
                "video-id": "\(entry.videoID)", "attempt": "\(entry.attempts + 1)", "retry-in": "\(wait)", "error": "\(error)",
            ])
            return false
        }
    }
}
