import Foundation
import Logging
import Metrics
import SQSClient
import ServiceLifecycle
import ServiceSupport
import Synchronization
import VideoCore
import VideoStore

/// Sends the outbox's messages to SQS and marks their records `queued`; retries unsent rows with
/// exponential backoff and full jitter until SQS answers, so an upload accepted while SQS is down is queued
/// as soon as SQS is back (and nothing is lost if the producer dies between storing and sending: the row
/// is still there at the next start).
///
/// It runs as a service; ``nudge()`` makes it look at once (after an upload) instead of at its next tick.
///
/// It avoids sending a message twice because of its own failures: each send is bounded well inside the entry's
/// lease (``sendTimeout``), so another producer does not lease and send the entry while this one still waits for
/// SQS; and when the database cannot be told that a message went out, the mark is retried — a few times at once,
/// then at the start of every round — and the entry is not sent again meanwhile. (A send whose answer is lost
/// can still reach SQS twice; the consumers treat duplicates as harmless.)
public final class OutboxDispatcher: Service, Sendable {
    let store: any VideoStore
    let sqs: any OutboxQueue
    let queueURL: String
    let interval: Duration
    let backoff: Backoff
    let logger: Logger
    /// The longest one SendMessage may take: well inside the 30-second lease of ``VideoStore/dueOutbox(limit:now:)``.
    let sendTimeout: Duration
    /// Entries sent whose `outboxSent` mark failed: retried before anything is sent, never sent again.
    private let unmarked = Mutex<[UUID: (videoID: UUID, messageID: String)]>([:])
    private let signal: AsyncStream<Void>
    private let signalContinuation: AsyncStream<Void>.Continuation

    public init(
        store: any VideoStore, sqs: any OutboxQueue, queueURL: String, interval: Duration = .seconds(1),
        backoff: Backoff = Backoff(base: .milliseconds(500), cap: .seconds(60)), sendTimeout: Duration = .seconds(15),
        logger: Logger
    ) {
        self.store = store
        self.sendTimeout = sendTimeout
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
            await markUnmarked()
            let due = try await store.dueOutbox(limit: 10)
            Gauge(label: "videoqueue_producer_outbox_depth").record(try await store.outboxDepth())
            let waitingForMark = unmarked.withLock { Set($0.keys) }
            for entry in due where !waitingForMark.contains(entry.id) {
                if await send(entry) { sent += 1 }
            }
        } catch {
            logger.warning("outbox unreadable", metadata: ["error": "\(error)"])
        }
        return sent
    }

    /// Entries sent but not yet marked (the database failed after SQS accepted the message).
    public var unmarkedCount: Int { unmarked.withLock { $0.count } }

    /// Retries the marks of entries sent earlier; an entry stays unmarked (and unsent) until its mark succeeds.
    private func markUnmarked() async {
        for (entryID, sent) in unmarked.withLock({ $0 }) {
            do {
                _ = try await store.outboxSent(entryID: entryID, videoID: sent.videoID, messageID: sent.messageID)
                _ = unmarked.withLock { $0.removeValue(forKey: entryID) }
                logger.info("outbox entry marked sent after a database failure", metadata: ["video_id": "\(sent.videoID)"])
            } catch {
                logger.warning("outbox entry still not marked sent", metadata: ["video_id": "\(sent.videoID)", "error": "\(error)"])
                return
            }
        }
    }

    /// Marks `entry` sent, retrying a few times at once; `false` when the database still fails.
    private func mark(_ entry: OutboxEntry, messageID: String) async -> Bool {
        for attempt in 1...3 {
            do {
                _ = try await store.outboxSent(entryID: entry.id, videoID: entry.videoID, messageID: messageID)
                return true
            } catch {
                logger.warning(
                    "message sent but not marked; retrying the mark",
                    metadata: [
                        "video_id": "\(entry.videoID)", "attempt": "\(attempt)", "error": "\(error)",
                    ])
                if attempt < 3 { try? await Task.sleep(for: Backoff(base: .milliseconds(100), cap: .seconds(1)).ceiling(afterAttempt: attempt)) }
            }
        }
        return false
    }

    private func send(_ entry: OutboxEntry) async -> Bool {
        do {
            // FIFO queues: one group per video, and the outbox entry as the deduplication id (a send repeated after a
            // lost answer is dropped by SQS).
            let message = SQSOutgoingMessage(body: entry.payload, attributes: ["videoId": .string(entry.videoID.uuidString.lowercased())])
                .addressed(to: queueURL, groupID: entry.videoID.uuidString.lowercased(), deduplicationID: entry.id.uuidString.lowercased())
            let sent = try await withTimeout(sendTimeout, operation: "SendMessage") { [sqs, queueURL] in
                try await sqs.send(message, to: queueURL)
            }
            // The message id ties the record to this message (the consumer's dead-letter watcher checks it).
            if await !mark(entry, messageID: sent.messageID) {
                // Sent: never send it again. The mark is retried before every later round.
                unmarked.withLock { $0[entry.id] = (entry.videoID, sent.messageID) }
            }
            Counter(label: "videoqueue_producer_messages_sent_total").increment()
            logger.debug("message sent", metadata: ["video_id": "\(entry.videoID)"])
            return true
        } catch {
            let wait = backoff.delay(afterAttempt: entry.attempts + 1)
            let notBefore = Date().addingTimeInterval(wait.seconds)
            _ = try? await store.rescheduleOutbox(entryID: entry.id, notBefore: notBefore, error: "\(error)")
            Counter(label: "videoqueue_producer_message_send_failures_total").increment()
            logger.warning(
                "message not sent; will retry",
                metadata: [
                    "video_id": "\(entry.videoID)", "attempt": "\(entry.attempts + 1)", "retry_in": "\(wait)", "error": "\(error)",
                ])
            return false
        }
    }
}
