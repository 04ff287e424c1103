import Foundation
import Logging
import MediaProcessing
import S3Client
import SQSClient
import ServiceSupport
import VideoCore
import VideoStore

/// Handles one received message from decoding to deletion; every path ends in a ``JobOutcome`` and leaves
/// the record and the message consistent (see docs/consumer.md for the decision table).
struct MessageHandler: Sendable {
    let configuration: ConsumerConfiguration
    let queueSettings: QueueSettings
    let sqs: SQSClient
    let s3: S3Client
    let store: any VideoStore
    let pipeline: MediaJobPipeline
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
        logger.info("message handled", metadata: ["outcome": "\(outcome.rawValue)",
                                                   "seconds": "\(String(format: "%.2f", (ContinuousClock.now - start).seconds))"])
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
        let record: VideoRecord
        do {
            let current = try await store.video(id: videoID, owner: nil)
            let action = claimDecision.decide(ClaimDecision.Event(record: current.map(ClaimDecision.RecordState.init),
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
                logger.info("record is processing under another message: duplicate left invisible",
                            metadata: ["invisible_seconds": "\(seconds)", "receive_count": "\(receiveCount)",
                                       "current_message_id": "\(current?.messageID ?? "-")"])
                metrics.duplicate()
                await setVisibility(message, seconds: seconds, logger: logger)
                return .leftToOwner
            case .takeOver(let previousAttempt, let reason):
                logger.warning("taking over a record whose consumer stopped", metadata: [
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
        heartbeat.register(messageID: message.messageID, receiptHandle: message.receiptHandle, signal: signal)
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
                    return .finished(.success(try await JobDeadline.$current.withValue(deadline) {
                        try await work(record: record, scratch: scratch, signal: signal, logger: logger)
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
                    _ = try await store.updateProgress(id: id, attempt: attempt, stage: current.stage, progress: current.progress,
                                                       eta: current.etaSeconds)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.debug("cannot read the record to check for a cancellation", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Download, probe, process, upload, complete. Returns the completed record (`nil`: the store refused the
    /// completion, the attempt being stale or the record cancelled).
    private func work(record: VideoRecord, scratch: URL, signal: AbortSignal, logger: Logger) async throws -> VideoRecord? {
        let jobs = record.jobs.isEmpty ? configuration.defaultJobs : record.jobs
        for job in jobs { _ = try pipeline.registry.handler(named: job.rawValue) }   // unknown_job_type before any work
        let progress = ProgressReporter(store: store, videoID: record.id, attempt: record.attempts,
                                        interval: configuration.progressInterval, logger: logger)
        let directory: ScratchDirectory
        do {
            directory = try ScratchDirectory(scratch)
        } catch {
            throw MediaError(code: .outputFailed, message: "cannot create the scratch directory \(scratch.lastPathComponent): \(error)")
        }
        defer { directory.remove() }
        try DiskSpace.ensureAvailable(at: scratch, inputSize: record.size, factor: pipeline.diskSpaceFactor)

        var stageStart = ContinuousClock.now
        func endStage(_ name: String) {
            let now = ContinuousClock.now
            metrics.stage(name, seconds: (now - stageStart).seconds)
            stageStart = now
        }

        await progress.report(stage: .downloading, percent: 0, eta: nil)
        let input = scratch.appendingPathComponent("source" + Self.safeExtension(of: record.sourceKey))
        let downloaded: S3ObjectInfo
        do {
            downloaded = try await s3.download(bucket: record.sourceBucket, key: record.sourceKey, to: input.path)
        } catch let error as S3Error where [.noSuchKey, .notFound, .noSuchBucket].contains(error.code) {
            throw VideoFailure(code: "source_missing",
                               message: "the source s3://\(record.sourceBucket)/\(record.sourceKey) does not exist (\(error.code))")
        }
        // The object must be the one that was checked and recorded: same size, same ETag.
        if downloaded.contentLength != record.size || (record.sourceETag != nil && downloaded.eTag != record.sourceETag) {
            throw VideoFailure(code: "source_changed",
                               message: "the source changed after it was recorded (\(downloaded.contentLength) bytes, recorded \(record.size))")
        }
        endStage("download")
        try Task.checkCancellation()

        await progress.report(stage: .probing, percent: 2, eta: nil)
        var probe = pipeline.probe
        probe.logger = logger
        probe.limits.maximumDuration = min(probe.limits.maximumDuration, configuration.maximumVideoDuration)
        let info = try await probe.probe(input)
        JobDeadline.current?.fit(duration: info.duration, jobs: jobs, codec: record.options?.codec ?? pipeline.options.codec)
        endStage("probe")

        await progress.report(stage: .encoding, percent: 5, eta: nil)
        var jobPipeline = pipeline
        jobPipeline.options = pipeline.options.applying(record.options)
        jobPipeline.logger = logger
        jobPipeline.runner.logger = logger
        let outputDirectory = scratch.appendingPathComponent("out", isDirectory: true)
        let results: [MediaJobPipeline.JobResult]
        do {
            results = try await jobPipeline.run(jobs: jobs.map(\.rawValue), input: input, outputDirectory: outputDirectory, info: info) { step in
                await progress.report(stage: .encoding, percent: 5 + step.overallPercent * 0.9, eta: step.jobProgress.estimatedTimeRemaining)
            }
        } catch let error as MediaError {
            if let status = error.exitStatus { metrics.ffmpegExit(status) }
            throw error
        }
        for _ in results { metrics.ffmpegExit(0) }
        endStage("encode")

        await progress.report(stage: .uploading, percent: 95, eta: nil)
        let files = results.flatMap(\.files)
        let keys = files.map { VideoKeys.outputPrefix(record.id) + $0.relativePath }
        do {
            let outputs = try await upload(files, from: outputDirectory, videoID: record.id)
            endStage("upload")
            guard signal.beginCommit() else { throw CancellationError() }
            guard let completed = try await store.complete(id: record.id, attempt: record.attempts, outputs: outputs) else {
                await removeOutputs(keys, of: record.id, logger: logger)
                return nil
            }
            return completed
        } catch {
            // Cancelled, fenced out or failed while uploading: what this attempt uploaded must not stay behind.
            await uncancellable { await removeOutputs(keys, of: record.id, logger: logger) }
            throw error
        }
    }

    /// Deletes `keys` (this attempt's outputs) unless the record completed with them (another attempt's identical
    /// keys won).
    private func removeOutputs(_ keys: [String], of id: UUID, logger: Logger) async {
        guard !keys.isEmpty else { return }
        if let current = try? await store.video(id: id, owner: nil), current.status == .completed { return }
        do {
            _ = try await s3.deleteObjects(bucket: configuration.bucket, keys: keys)
            logger.info("outputs of an attempt that did not complete removed", metadata: ["count": "\(keys.count)"])
        } catch {
            logger.warning("cannot remove an abandoned attempt's outputs (the orphan sweeper removes them with the video)",
                           metadata: ["error": "\(error)"])
        }
    }

    /// Uploads `files` under `outputs/{videoID}/{relative path}`, four at a time, in the order given.
    private func upload(_ files: [ProducedFile], from directory: URL, videoID: UUID) async throws -> [VideoOutput] {
        let prefix = VideoKeys.outputPrefix(videoID)
        return try await withThrowingTaskGroup(of: (Int, VideoOutput).self) { group in
            var outputs = [VideoOutput?](repeating: nil, count: files.count)
            var next = 0
            func addNext() {
                guard next < files.count else { return }
                let index = next
                let file = files[index]
                next += 1
                group.addTask {
                    let key = prefix + file.relativePath
                    try await s3.upload(file: file.url(in: directory).path, bucket: configuration.bucket, key: key, contentType: file.contentType)
                    return (index, VideoOutput(kind: file.kind.rawValue, key: key, size: file.size, contentType: file.contentType,
                                               width: file.width, height: file.height, duration: file.duration))
                }
            }
            for _ in 0..<4 { addNext() }
            while let (index, output) = try await group.next() {
                outputs[index] = output
                addNext()
            }
            return outputs.compactMap { $0 }
        }
    }

    /// `.mp4` for `videos/x/clip.mp4`; empty when the key has no short alphanumeric extension.
    static func safeExtension(of key: String) -> String {
        let name = key.split(separator: "/").last.map(String.init) ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        let ext = name[name.index(after: dot)...]
        guard (1...5).contains(ext.count), ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return "" }
        return "." + ext.lowercased()
    }

    // MARK: Finishing

    private func finish(record: VideoRecord, message: SQSMessage, result: Result<VideoRecord?, any Error>?, reason: AbortReason?,
                        timeout: Duration, logger: Logger) async -> JobOutcome {
        let id = record.id
        let attempt = record.attempts
        do {
            if let reason {
                switch reason {
                case .cancelled:
                    logger.info("record cancelled while processing: FFmpeg stopped, scratch removed")
                    await deleteMessage(message, logger: logger)
                    return .cancelled
                case .timedOut:
                    let failure = VideoFailure(code: "job_timeout", message: "the job ran longer than its timeout, \(timeout), and was stopped")
                    _ = try await store.fail(id: id, attempt: attempt, error: failure)
                    logger.warning("job timed out: record failed")
                    await deleteMessage(message, logger: logger)
                    return .timedOut
                case .lostMessage:
                    logger.warning("message lost to another consumer: job abandoned without writing results")
                    _ = try await store.release(id: id, attempt: attempt)
                    return .abandoned
                case .shutdown:
                    return try await handBack(record: record, message: message, logger: logger)
                }
            }
            switch result {
            case .success(let completed?)?:
                logger.info("job completed", metadata: ["outputs": "\(completed.outputs.count)"])
                await deleteMessage(message, logger: logger)
                return .completed
            case .success(nil)?:
                return try await afterRefusedWrite(id: id, message: message, logger: logger)
            case .failure(let error)?:
                if error is CancellationError || (error as? MediaError)?.code == .cancelled {
                    // Cancelled without a reason: the consumer itself is being torn down.
                    return try await handBack(record: record, message: message, logger: logger)
                }
                return try await handleFailure(error, record: record, message: message, logger: logger)
            case nil:
                return try await handBack(record: record, message: message, logger: logger)
            }
        } catch {
            // The store could not be told: leave the message to come back (the record is taken over then).
            logger.error("cannot record the job's end: the message will come back", metadata: ["error": "\(error)"])
            await setVisibility(message, seconds: backoff.delay(receiveCount: message.approximateReceiveCount ?? 1), logger: logger)
            return .retried
        }
    }

    private func handleFailure(_ error: any Error, record: VideoRecord, message: SQSMessage, logger: Logger) async throws -> JobOutcome {
        let receiveCount = message.approximateReceiveCount ?? 1
        switch FailureClassification.classify(error) {
        case .permanent(let failure):
            logger.warning("job failed permanently", metadata: ["code": "\(failure.code)", "error": "\(failure.message)"])
            guard try await store.fail(id: record.id, attempt: record.attempts, error: failure) != nil else {
                return try await afterRefusedWrite(id: record.id, message: message, logger: logger)
            }
            await deleteMessage(message, logger: logger)
            return .failed
        case .transient(let reason, let code):
            if let maximum = queueSettings.maximumReceiveCount, receiveCount >= maximum {
                // SQS moves the message to the DLQ on its next receive: fail the record now so it does not stay
                // queued forever. The message is left to SQS, visible at once, as evidence in the DLQ.
                let failure = VideoFailure(code: code,
                                           message: "gave up after \(receiveCount) attempts; the last error was transient: \(reason)")
                logger.error("transient failure on the last allowed receive: record failed", metadata: ["error": "\(reason)"])
                _ = try await store.fail(id: record.id, attempt: record.attempts, error: failure)
                await setVisibility(message, seconds: 0, logger: logger)
                return .failed
            }
            let delay = backoff.delay(receiveCount: receiveCount)
            logger.warning("transient failure: the message comes back", metadata: ["error": "\(reason)", "retry_in_seconds": "\(delay)"])
            _ = try await store.release(id: record.id, attempt: record.attempts)
            await setVisibility(message, seconds: delay, logger: logger)
            return .retried
        }
    }

    /// A completion or failure was refused: the record was cancelled, or a newer attempt owns it.
    private func afterRefusedWrite(id: UUID, message: SQSMessage, logger: Logger) async throws -> JobOutcome {
        let current = try await store.video(id: id, owner: nil)
        if current == nil || current?.status == .cancelled {
            logger.info("record cancelled or deleted meanwhile: deleting the message")
            await deleteMessage(message, logger: logger)
            return .cancelled
        }
        logger.warning("a newer attempt owns the record: results not published", metadata: ["status": "\(current?.status.rawValue ?? "-")"])
        return .abandoned
    }

    /// Shutdown: release the record and make the message visible at once, so another consumer takes it now.
    private func handBack(record: VideoRecord, message: SQSMessage, logger: Logger) async throws -> JobOutcome {
        logger.info("handing the job back: record released, message visible again")
        _ = try await store.release(id: record.id, attempt: record.attempts)
        await setVisibility(message, seconds: 0, logger: logger)
        return .released
    }

    // MARK: Queue operations

    private func deadLetter(_ message: SQSMessage, error: any Error, logger: Logger) async -> JobOutcome {
        let code = (error as? QueueMessageError)?.code.rawValue ?? "undecodable"
        let reason = String("\(error)".prefix(1000))
        guard let dlq = queueSettings.deadLetterQueueURL else {
            logger.error("undecodable message and no dead-letter queue: leaving it to the redrive policy",
                         metadata: ["reason": "\(reason)"])
            return .retried
        }
        do {
            try await sqs.send(SQSOutgoingMessage(body: message.body, attributes: [
                "videoqueue-error": .string(reason), "videoqueue-error-code": .string(code),
                "videoqueue-source-message-id": .string(message.messageID),
            ]).addressed(to: dlq, groupID: "undecodable", deduplicationID: message.messageID), to: dlq)
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
            let (sqs, queueURL, handle) = (sqs, configuration.queueURL, message.receiptHandle)
            try await withTimeout(configuration.sqsCallTimeout, operation: "ChangeMessageVisibility") {
                try await sqs.changeVisibility(receiptHandle: handle, in: queueURL, timeout: seconds)
            }
        } catch {
            logger.warning("cannot change the message's visibility", metadata: ["error": "\(error)", "seconds": "\(seconds)"])
        }
    }
}
