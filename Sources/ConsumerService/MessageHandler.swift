import Foundation
import Logging
import SQSClient
import ServiceSupport
import VideoCore
import VideoStore

/// Handles one received message from decoding to deletion; every path ends in a ``JobOutcome`` and leaves
/// the record and the message consistent (see docs/consumer.md for the decision table).
struct MessageHandler: Sendable {
    let configuration: ConsumerConfiguration
    let queueSettings: QueueSettings
    let queue: any JobQueue
    let store: any VideoStore
    let work: any JobWork
    let heartbeat: VisibilityHeartbeat
    let activeJobs: ActiveJobs
    let metrics: ConsumerMetrics
    let backoff: RedeliveryBackoff
    let deleter: MessageDeleter
    let logger: Logger

    /// Handles `message`; never throws (every error is an outcome).
    func handle(_ message: SQSMessage) async -> JobOutcome {
        var logger = self.logger
        logger[metadataKey: "message_id"] = "\(message.messageID)"
        let start = ContinuousClock.now
        if let sent = message.sentTimestamp { metrics.messageAge(seconds: Date().timeIntervalSince(sent)) }

        let decoded: QueueMessage
        do {
            decoded = try QueueMessage.decode(message.body)
        } catch {
            let outcome = await deadLetter(message, error: error, logger: logger)
            metrics.job(types: [], outcome: outcome, seconds: (ContinuousClock.now - start).seconds)
            return outcome
        }
        let videoID = decoded.video.id
        logger[metadataKey: "video_id"] = "\(videoID.uuidString.lowercased())"
        let jobs = decoded.video.jobs.isEmpty ? configuration.defaultJobs : decoded.video.jobs
        let outcome = await process(message, videoID: videoID, logger: logger)
        metrics.job(types: jobs.map(\.rawValue), outcome: outcome, seconds: (ContinuousClock.now - start).seconds)
        logger.info(
            "message handled",
            metadata: [
                "outcome": "\(outcome.rawValue)",
                "seconds": "\(String(format: "%.2f", (ContinuousClock.now - start).seconds))",
            ])
        return outcome
    }

    // MARK: Claiming

    /// The claim rule (``ClaimDecision``) for this consumer's settings.
    var claimDecision: ClaimDecision {
        ClaimDecision(visibilityTimeout: configuration.visibilityTimeout, backoff: backoff)
    }

    /// Reads the record, asks ``ClaimDecision`` what to do with the message, and does it.
    private func process(_ message: SQSMessage, videoID: UUID, logger: Logger) async -> JobOutcome {
        let receiveCount = message.approximateReceiveCount ?? 1
        if heartbeat.adopt(message) {
            // Our own running job's message, back because a visibility extension came late: the job keeps running
            // under this receive (never taken over from ourselves), hidden again at once.
            logger.warning(
                "the message of a job running here was received again (a late visibility extension): the job keeps it",
                metadata: ["receive_count": "\(receiveCount)"])
            metrics.visibilityExtension("readopted")
            await setVisibility(message, seconds: configuration.visibilityTimeout, logger: logger)
            return .leftToOwner
        }
        let record: VideoRecord
        do {
            let current = try await store.video(id: videoID, owner: nil)
            let action = claimDecision.decide(
                ClaimDecision.Event(
                    record: current.map(ClaimDecision.RecordState.init),
                    messageID: message.messageID, receiveCount: receiveCount, now: Date()))
            switch action {
            case .delete(.noRecord):
                logger.warning("no record for the message's video: deleting the message")
                await deleteMessage(message, logger: logger)
                return .skipped
            case .delete(.final(let status)):
                // Final (or failed: a retry sends a new message): nothing to do, and the message must not come back.
                logger.info("record is \(status.rawValue): deleting the message without work")
                await deleteMessage(message, logger: logger)
                return .skipped
            case .leaveInvisible(let seconds):
                // A duplicate of a job that runs and progresses under another message: left to its holder, hidden,
                // and deleted on a later receive once the record is final.
                logger.info(
                    "record is processing under another message: duplicate left invisible",
                    metadata: [
                        "invisible_seconds": "\(seconds)", "receive_count": "\(receiveCount)",
                        "current_message_id": "\(current?.messageID ?? "-")",
                    ])
                metrics.duplicate()
                await setVisibility(message, seconds: seconds, logger: logger)
                return .leftToOwner
            case .takeOver(let previousAttempt, let reason):
                logger.warning(
                    "taking over a record whose consumer stopped",
                    metadata: [
                        "previous_attempt": "\(previousAttempt)", "receive_count": "\(receiveCount)", "reason": "\(reason.rawValue)",
                    ])
                _ = try await store.release(id: videoID, attempt: previousAttempt)
                guard let claimed = try await store.claim(id: videoID, messageID: message.messageID) else { return .leftToOwner }
                record = claimed
            case .claim:
                guard let claimed = try await store.claim(id: videoID, messageID: message.messageID) else {
                    // Another consumer claimed it between our read and our claim; it will delete its copy, and if it
                    // dies the message comes back and the rule is applied again then.
                    logger.info("claim lost to another consumer: leaving the message")
                    return .leftToOwner
                }
                record = claimed
            }
        } catch {
            logger.warning("cannot read or claim the record: the message will come back", metadata: ["error": "\(error)"])
            await setVisibility(message, seconds: backoff.delay(receiveCount: receiveCount), logger: logger)
            return .retried
        }
        var jobLogger = logger
        jobLogger[metadataKey: "attempt"] = "\(record.attempts)"
        return await run(record: record, message: message, logger: jobLogger)
    }

    // MARK: Running

    private enum Event: Sendable {
        case finished(Result<VideoRecord?, any Error>)
        case aborted(AbortReason?)
        case watcherEnded
    }

    private func run(record: VideoRecord, message: SQSMessage, logger: Logger) async -> JobOutcome {
        let signal = AbortSignal()
        let attempt = record.attempts
        heartbeat.register(
            messageID: message.messageID, receiptHandle: message.receiptHandle, signal: signal, receiveCount: message.approximateReceiveCount)
        activeJobs.insert(message.messageID, signal)
        let scratch = URL(fileURLWithPath: configuration.scratchDirectory, isDirectory: true)
            .appendingPathComponent("\(record.id.uuidString.lowercased())-\(attempt)", isDirectory: true)
        defer {
            heartbeat.unregister(messageID: message.messageID)
            activeJobs.remove(message.messageID)
        }
        logger.info("job started", metadata: ["jobs": "\(record.jobs.map(\.rawValue).joined(separator: ","))"])

        let deadline = JobDeadline(policy: configuration.jobTimeoutPolicy)
        let result: Result<VideoRecord?, any Error>? = await withTaskGroup(of: Event.self) { group in
            group.addTask {
                do {
                    return .finished(
                        .success(
                            try await JobDeadline.$current.withValue(deadline) {
                                try await work.run(record: record, scratch: scratch, signal: signal, logger: logger)
                            }))
                } catch {
                    return .finished(.failure(error))
                }
            }
            group.addTask { .aborted(await signal.wait()) }
            group.addTask {
                // The floor until the source is probed, then the timeout for its duration and jobs.
                if (try? await deadline.waitUntilPassed()) != nil, !Task.isCancelled { signal.trigger(.timedOut) }
                return .watcherEnded
            }
            group.addTask {
                await watchRecord(id: record.id, attempt: attempt, signal: signal, logger: logger)
                return .watcherEnded
            }
            var result: Result<VideoRecord?, any Error>?
            while let event = await group.next() {
                switch event {
                case .finished(let outcome):
                    result = outcome
                    group.cancelAll()
                case .aborted(let reason?):
                    logger.info("stopping the job", metadata: ["reason": "\(reason.rawValue)"])
                    group.cancelAll()
                case .aborted(nil), .watcherEnded:
                    continue
                }
            }
            return result
        }
        // The latest receive of the message (a late beat can have let it come back here meanwhile).
        let message = heartbeat.latest(message)
        return await uncancellable {
            await finish(record: record, message: message, result: result, reason: signal.reason, timeout: deadline.timeout, logger: logger)
        }
    }

    /// Polls the record: a cancellation or a newer attempt stops the job within one poll interval. It also keeps
    /// the record's `updatedAt` fresh while the job writes no progress (a long download or upload), so that
    /// ``ClaimDecision`` never counts a working holder as stalled.
    private func watchRecord(id: UUID, attempt: Int, signal: AbortSignal, logger: Logger) async {
        let keepAliveAge = Double(max(1, configuration.visibilityTimeout)) / 3
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.cancellationPollInterval)
                guard let current = try await store.video(id: id, owner: nil) else {
                    signal.trigger(.cancelled)
                    return
                }
                if current.status == .cancelled {
                    signal.trigger(.cancelled)
                    return
                }
                if current.attempts != attempt || current.status != .processing {
                    // Another consumer took the record over (or it finished under us: then the commit already
                    // happened and the trigger is ignored).
                    signal.trigger(.lostMessage)
                    return
                }
                if Date().timeIntervalSince(current.updatedAt) >= keepAliveAge {
                    _ = try await store.updateProgress(
                        id: id, attempt: attempt, stage: current.stage, progress: current.progress,
                        eta: current.etaSeconds)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.debug("cannot read the record to check for a cancellation", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: Finishing

    /// The settlement rule (``JobSettlement``) for this consumer's queue.
    var settlement: JobSettlement {
        JobSettlement(maximumReceiveCount: queueSettings.maximumReceiveCount, maximumAttempts: configuration.maximumAttempts, backoff: backoff)
    }

    /// What sends a message again as a fresh one (``JobSettlement/MessageStep/sendAgain(delaySeconds:)``).
    var resender: MessageResender {
        MessageResender(queue: queue, store: store, queueURL: configuration.queueURL)
    }

    /// Settles the run: asks ``JobSettlement`` what to do for its ending and does it.
    private func finish(
        record: VideoRecord, message: SQSMessage, result: Result<VideoRecord?, any Error>?, reason: AbortReason?,
        timeout: Duration, logger: Logger
    ) async -> JobOutcome {
        let receiveCount = message.approximateReceiveCount ?? 1
        var action = settlement.settle(
            JobEnding(reason: reason, result: result), receiveCount: receiveCount, attempts: record.attempts,
            timeout: timeout)
        do {
            if try await !perform(action.record, record: record) {
                logger.log(level: action.level, "\(action.note)")
                action = settlement.afterRefusal(recordStatus: try await store.video(id: record.id, owner: nil)?.status)
            }
        } catch {
            logger.warning("cannot write the job's end to the record", metadata: ["error": "\(error)"])
            action = settlement.storeUnavailable(receiveCount: receiveCount)
        }
        logger.log(level: action.level, "\(action.note)")
        await perform(action.message, on: message, videoID: record.id, logger: logger)
        return action.outcome
    }

    /// Carries out a record step; `false` when the record must be inspected (a refused write, or ``JobSettlement/RecordStep/inspect``).
    private func perform(_ step: JobSettlement.RecordStep, record: VideoRecord) async throws -> Bool {
        switch step {
        case .none:
            return true
        case .inspect:
            return false
        case .write(let write, let inspectIfRefused):
            let written: VideoRecord?
            switch write {
            case .fail(let failure): written = try await store.fail(id: record.id, attempt: record.attempts, error: failure)
            case .release: written = try await store.release(id: record.id, attempt: record.attempts)
            }
            return written != nil || !inspectIfRefused
        }
    }

    /// Carries out a message step.
    private func perform(_ step: JobSettlement.MessageStep, on message: SQSMessage, videoID: UUID, logger: Logger) async {
        switch step {
        case .delete: await deleteMessage(message, logger: logger)
        case .setVisibility(let seconds): await setVisibility(message, seconds: seconds, logger: logger)
        case .sendAgain(let delay): await sendAgain(message, videoID: videoID, delaySeconds: delay, logger: logger)
        case .leave: break
        }
    }

    /// Sends `message` again as a fresh message hidden for `delaySeconds`, makes it the record's current message and
    /// deletes this one. When the send fails this one is hidden for the delay instead: it goes to the DLQ on its next
    /// receive, and the dead-letter watcher sends it again. A record that cannot adopt the new message (changed
    /// meanwhile, or the store is down) leaves it a harmless duplicate: any message claims a queued record.
    private func sendAgain(_ message: SQSMessage, videoID: UUID, delaySeconds: Int, logger: Logger) async {
        let resender = self.resender
        let sent: String
        do {
            sent = try await withTimeout(configuration.sqsCallTimeout, operation: "SendMessage") {
                try await resender.send(body: message.body, replacing: message.messageID, videoID: videoID, delaySeconds: delaySeconds)
            }
        } catch {
            logger.warning(
                "cannot send the message again: it goes to the dead-letter queue, whose watcher sends it again",
                metadata: ["error": "\(error)"])
            await setVisibility(message, seconds: delaySeconds, logger: logger)
            return
        }
        do {
            let adopted = try await resender.adopt(videoID: videoID, current: message.messageID, new: sent)
            logger.info("message sent again as a fresh one", metadata: ["new_message_id": "\(sent)", "adopted": "\(adopted)"])
        } catch {
            logger.warning(
                "message sent again, but the record cannot point to it yet (the new message claims it all the same)",
                metadata: ["new_message_id": "\(sent)", "error": "\(error)"])
        }
        metrics.resent()
        await deleteMessage(message, logger: logger)
    }

    // MARK: Queue operations

    private func deadLetter(_ message: SQSMessage, error: any Error, logger: Logger) async -> JobOutcome {
        let code = (error as? QueueMessageError)?.code.rawValue ?? "undecodable"
        let reason = String("\(error)".prefix(1000))
        guard let dlq = queueSettings.deadLetterQueueURL else {
            logger.error(
                "undecodable message and no dead-letter queue: leaving it to the redrive policy",
                metadata: ["reason": "\(reason)"])
            return .retried
        }
        do {
            try await queue.send(
                SQSOutgoingMessage(
                    body: message.body,
                    attributes: [
                        "videoqueue-error": .string(reason), "videoqueue-error-code": .string(code),
                        "videoqueue-source-message-id": .string(message.messageID),
                    ]
                ).addressed(to: dlq, groupID: "undecodable", deduplicationID: message.messageID), to: dlq)
        } catch {
            logger.error("cannot move an undecodable message to the dead-letter queue", metadata: ["error": "\(error)"])
            await setVisibility(message, seconds: backoff.delay(receiveCount: message.approximateReceiveCount ?? 1), logger: logger)
            return .retried
        }
        logger.error("undecodable message moved to the dead-letter queue", metadata: ["reason": "\(reason)", "code": "\(code)"])
        await deleteMessage(message, logger: logger)
        return .deadLettered
    }

    /// Hands the message to the batched deleter; the job's slot is free before the deletion's round trip.
    private func deleteMessage(_ message: SQSMessage, logger: Logger) async {
        await deleter.enqueue(receiptHandle: message.receiptHandle, logger: logger)
    }

    private func setVisibility(_ message: SQSMessage, seconds: Int, logger: Logger) async {
        do {
            let (queue, queueURL, handle) = (queue, configuration.queueURL, message.receiptHandle)
            try await withTimeout(configuration.sqsCallTimeout, operation: "ChangeMessageVisibility") {
                try await queue.changeVisibility(receiptHandle: handle, in: queueURL, timeout: seconds)
            }
        } catch {
            logger.warning("cannot change the message's visibility", metadata: ["error": "\(error)", "seconds": "\(seconds)"])
        }
    }
}
