import Foundation
import Logging
import SQSClient
import ServiceLifecycle
import ServiceSupport
import VideoCore
import VideoStore

/// Sends again, or fails, the records whose queue message SQS moved to the dead-letter queue before any consumer
/// could finish them: a consumer that claimed a record on the message's last allowed receive and then died (SIGKILL, power
/// loss), or handed it back on that receive, leaves the record `processing` or `queued` while the message goes
/// to the DLQ when its visibility runs out.
///
/// Every ``interval`` it receives up to 10 DLQ messages (a short wait, a visibility of an hour so it does not
/// see them again before then), decodes each and
/// fails the record with the code ``failureCode`` when — in one conditional update — the record is still
/// `pending`, `queued` or `processing` and its ``VideoCore/VideoRecord/messageID`` is the DLQ message's id
/// (SQS keeps a message's id when it moves it to the DLQ). A record retried since with a new message has
/// another id and is left alone. A record that still has attempts left (fewer claims than ``maximumAttempts``,
/// `VIDEOQUEUE_MAX_ATTEMPTS`; never claimed included) is not failed: its message is sent again to the jobs queue
/// as a fresh message (a new receive budget) and becomes the record's current message. Undecodable messages and the consumer's own dead-lettered poison messages
/// (with a `videoqueue-error` attribute) are skipped: they stay in the DLQ for an operator.
///
/// A message whose record no longer needs it is deleted from the DLQ, so the DLQ holds only what an operator must
/// look at: after it was sent again (``Verdict/resent``), failed its record (the record carries the failure), or
/// found its record finished, gone or under a newer message (``Verdict/deletesMessage``). One whose record changed
/// while it was decided is looked at again after ``interval``.
///
/// SQS and database errors are logged and counted, the check is retried after a growing delay. A graceful shutdown
/// ends the watcher after the receive in flight, which is not cancelled (SQS would keep what it hands over hidden
/// for the hour): it ends within its wait (``waitTimeSeconds``) plus ``callTimeout``, and what it brought is handed
/// back at once (visibility 0), undecided.
struct DeadLetterWatcher: Sendable {
    /// What the watcher did with one DLQ message (the `result` label of its metric).
    enum Verdict: String, Sendable {
        /// The record was waiting for or processing this message: now `failed`.
        case failed
        /// The record was waiting for or processing this message with attempts left: sent again as a new message.
        case resent
        /// The record's current message is another one (retried since): left alone.
        case newerMessage = "newer_message"
        /// The record is `completed`, `failed` or `cancelled` already.
        case finished
        /// No record has the message's video id (deleted).
        case noRecord = "no_record"
        /// The record changed between the read and the conditional update: left alone.
        case changed
        /// The body is not a queue message.
        case undecodable
        /// One of the consumer's own dead-lettered messages (a `videoqueue-error` attribute).
        case poison

        /// Whether the DLQ message is deleted after this verdict: its record no longer needs it (sent again, failed,
        /// finished, gone, or under a newer message). Undecodable and poison messages stay for an operator; a changed
        /// record's message is decided again later.
        var deletesMessage: Bool {
            switch self {
            case .resent, .failed, .finished, .noRecord, .newerMessage: true
            case .changed, .undecodable, .poison: false
            }
        }
    }

    /// One DLQ message's verdict.
    struct Decision: Sendable, Equatable {
        var messageID: String
        var videoID: UUID?
        var verdict: Verdict
    }

    /// The error code of a record failed by the watcher.
    static let failureCode = "dead_lettered"
    /// The visibility (seconds) the watcher gives the DLQ messages it received: it looks at each at most
    /// once an hour.
    static let visibilityTimeout = 3600
    /// The receive's wait (seconds): a short long-poll, so every SQS server is asked.
    static let waitTimeSeconds = 1
    /// The attribute the consumer sets on the undecodable messages it moves to the DLQ itself.
    static let poisonAttribute = "videoqueue-error"

    let sqs: any JobQueue
    let store: any VideoStore
    let deadLetterQueueURL: String
    /// The jobs queue, where a record with attempts left gets its message again.
    let queueURL: String
    /// How many claims a record may have before a dead-lettered message fails it (`VIDEOQUEUE_MAX_ATTEMPTS`).
    let maximumAttempts: Int
    /// The queue's redrive limit, for the failure's message (`nil`: the DLQ message's receive count is used).
    let maximumReceiveCount: Int?
    let interval: Duration
    /// The longest one SQS call may take (a receive gets its wait on top), `VIDEOQUEUE_SQS_CALL_TIMEOUT`.
    var callTimeout: Duration = .seconds(10)
    let metrics: ConsumerMetrics
    let logger: Logger

    /// Checks the DLQ at once and then every ``interval`` until a graceful shutdown or cancellation.
    func run() async {
        logger.info("dead-letter watcher started", metadata: ["dlq": "\(deadLetterQueueURL)", "interval": "\(interval)"])
        var failures = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            var wait = interval
            do {
                _ = try await check()
                failures = 0
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                failures += 1
                metrics.deadLetterCheckError()
                wait = interval + Backoff(base: interval, cap: .seconds(600)).delay(afterAttempt: failures)
                logger.warning("dead-letter check failed", metadata: ["error": "\(error)", "retry_in": "\(wait)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
            } catch {
                break
            }
        }
        logger.debug("dead-letter watcher stopped")
    }

    /// Receives up to 10 DLQ messages and decides on each. A message whose record cannot be read or updated is
    /// made visible again after ``interval`` (at least a second) and the first such error is thrown after the
    /// others were handled. Messages received after a graceful shutdown began are handed back undecided.
    /// - Throws: the receive's error (``ServiceSupport/CallTimeoutError`` past its bound), or the first store error.
    func check() async throws -> [Decision] {
        let messages = try await withTimeout(.seconds(Self.waitTimeSeconds) + callTimeout, operation: "ReceiveMessage") {
            [sqs, deadLetterQueueURL] in
            try await sqs.receive(
                from: deadLetterQueueURL, maximumMessages: 10, waitTime: Self.waitTimeSeconds,
                visibilityTimeout: Self.visibilityTimeout)
        }
        if Task.isShuttingDownGracefully || Task.isCancelled {
            let handedBack = await sqs.handBack(messages, in: deadLetterQueueURL, callTimeout: callTimeout)
            if !messages.isEmpty {
                logger.info(
                    "dead-lettered messages received as the shutdown began handed back",
                    metadata: ["count": "\(messages.count)", "confirmed": "\(handedBack)"])
            }
            return []
        }
        var decisions: [Decision] = []
        var settled: [String] = []
        var firstError: (any Error)?
        let lookAgain = max(1, min(Self.visibilityTimeout, Int(interval.seconds.rounded(.up))))
        for message in messages {
            do {
                let decision = try await decide(message)
                metrics.deadLetter(decision.verdict.rawValue)
                decisions.append(decision)
                if decision.verdict.deletesMessage {
                    settled.append(message.receiptHandle)
                } else if decision.verdict == .changed {
                    try? await setVisibility(message, seconds: lookAgain)
                }
            } catch {
                firstError = firstError ?? error
                logger.warning(
                    "cannot check a dead-lettered message's record; it is looked at again later",
                    metadata: ["message_id": "\(message.messageID)", "error": "\(error)"])
                try? await setVisibility(message, seconds: lookAgain)
            }
        }
        await delete(settled)
        if let firstError { throw firstError }
        return decisions
    }

    private func setVisibility(_ message: SQSMessage, seconds: Int) async throws {
        try await withTimeout(callTimeout, operation: "ChangeMessageVisibility") { [sqs, deadLetterQueueURL] in
            try await sqs.changeVisibility(receiptHandle: message.receiptHandle, in: deadLetterQueueURL, timeout: seconds)
        }
    }

    /// Deletes the DLQ messages whose records no longer need them (at most ten: one receive's). One that cannot be
    /// deleted comes back after the hour and is deleted then.
    private func delete(_ receiptHandles: [String]) async {
        guard !receiptHandles.isEmpty else { return }
        do {
            let result = try await withTimeout(callTimeout, operation: "DeleteMessageBatch") { [sqs, deadLetterQueueURL] in
                try await sqs.deleteBatch(receiptHandles: receiptHandles, from: deadLetterQueueURL)
            }
            if !result.allSucceeded {
                logger.warning(
                    "some settled dead-lettered messages could not be deleted; they are looked at again in an hour",
                    metadata: ["failed": "\(result.failed.count)"])
            }
        } catch {
            logger.warning(
                "cannot delete settled dead-lettered messages; they are looked at again in an hour",
                metadata: ["count": "\(receiptHandles.count)", "error": "\(error)"])
        }
    }

    /// The verdict on one DLQ message, failing its record when it is the record's current message.
    private func decide(_ message: SQSMessage) async throws -> Decision {
        var logger = self.logger
        logger[metadataKey: "message_id"] = "\(message.messageID)"
        if message.messageAttributes[Self.poisonAttribute] != nil {
            logger.debug("dead-lettered message is an undecodable one the consumer moved there: skipped")
            return Decision(messageID: message.messageID, videoID: nil, verdict: .poison)
        }
        let videoID: UUID
        do {
            videoID = try QueueMessage.decode(message.body).video.id
        } catch {
            logger.debug("dead-lettered message is not a queue message: skipped", metadata: ["error": "\(error)"])
            return Decision(messageID: message.messageID, videoID: nil, verdict: .undecodable)
        }
        logger[metadataKey: "video_id"] = "\(videoID.uuidString.lowercased())"
        func decision(_ verdict: Verdict) -> Decision { Decision(messageID: message.messageID, videoID: videoID, verdict: verdict) }

        guard let record = try await store.video(id: videoID, owner: nil) else {
            logger.info("dead-lettered message's record is gone: nothing to do")
            return decision(.noRecord)
        }
        guard [.pending, .queued, .processing].contains(record.status) else {
            logger.debug("dead-lettered message's record is \(record.status.rawValue) already")
            return decision(.finished)
        }
        guard record.messageID == message.messageID else {
            logger.info(
                "dead-lettered message is not the record's current message (retried since): record left alone",
                metadata: ["status": "\(record.status.rawValue)", "current_message_id": "\(record.messageID ?? "none")"])
            return decision(.newerMessage)
        }
        if record.attempts < maximumAttempts {
            return try await resend(message, record: record, logger: logger)
        }
        let receives = (maximumReceiveCount ?? message.approximateReceiveCount).map { "\($0) receive\($0 == 1 ? "" : "s")" }
        let failure = VideoFailure(
            code: Self.failureCode,
            message: """
                the queue message went to the dead-letter queue after \(receives ?? "its last allowed receive") \
                without the job finishing (the consumer holding it stopped, or handed it back, on its last allowed receive); \
                the record was \(record.status.rawValue) (attempt \(record.attempts) of \(maximumAttempts))
                """)
        guard let failed = try await store.fail(id: videoID, messageID: message.messageID, error: failure) else {
            logger.info("record changed while its dead-lettered message was checked: left alone")
            return decision(.changed)
        }
        logger.error(
            "record failed: its queue message is in the dead-letter queue",
            metadata: [
                "previous_status": "\(record.status.rawValue)", "attempts": "\(failed.attempts)",
                "code": "\(Self.failureCode)",
            ])
        return decision(.failed)
    }

    /// Sends the record's message again as a fresh message and makes it the record's current one (``MessageResender``).
    private func resend(_ message: SQSMessage, record: VideoRecord, logger: Logger) async throws -> Decision {
        let videoID = record.id
        let resender = MessageResender(queue: sqs, store: store, queueURL: queueURL)
        let sent = try await resender.resend(body: message.body, replacing: message.messageID, videoID: videoID)
        guard sent.adopted else {
            logger.info(
                "record changed while its dead-lettered message was sent again: the new message is a duplicate",
                metadata: ["new_message_id": "\(sent.messageID)"])
            return Decision(messageID: message.messageID, videoID: videoID, verdict: .changed)
        }
        logger.warning(
            "dead-lettered message sent again: the record has attempts left",
            metadata: [
                "status": "\(record.status.rawValue)", "attempts": "\(record.attempts)", "maximum_attempts": "\(maximumAttempts)",
                "new_message_id": "\(sent.messageID)",
            ])
        return Decision(messageID: message.messageID, videoID: videoID, verdict: .resent)
    }
}

extension ConsumerService {
    /// The dead-letter watcher for `settings`; `nil` when no DLQ is known or
    /// ``ConsumerConfiguration/deadLetterCheckInterval`` is zero.
    func makeDeadLetterWatcher(_ settings: QueueSettings) -> DeadLetterWatcher? {
        guard let dlq = settings.deadLetterQueueURL, configuration.deadLetterCheckInterval > .zero else { return nil }
        return DeadLetterWatcher(
            sqs: queue, store: store, deadLetterQueueURL: dlq, queueURL: configuration.queueURL,
            maximumAttempts: configuration.maximumAttempts, maximumReceiveCount: settings.maximumReceiveCount,
            interval: configuration.deadLetterCheckInterval, callTimeout: configuration.sqsCallTimeout,
            metrics: metrics, logger: logger)
    }
}
