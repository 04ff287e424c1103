import Foundation
import Logging
import MediaProcessing
import S3Client
import ServiceSupport
import VideoCore
import VideoStore

/// The media work of one claimed job: downloads the source (checking it is the object that was recorded),
/// probes it (fitting the job's deadline to its duration, renditions and codec, or failing it as `job_too_long` when
/// no deadline within SQS's in-flight limit can serve it), runs the jobs through the ``MediaJobPipeline``,
/// uploads the outputs under `outputs/{id}/` and completes the record — removing what it uploaded when it
/// cannot complete. Progress goes to the record through a ``ProgressReporter``.
struct MediaJobWork: JobWork {
    let configuration: ConsumerConfiguration
    let storage: any ObjectStorage
    let store: any VideoStore
    let pipeline: MediaJobPipeline
    let metrics: ConsumerMetrics

    /// Download, probe, process, upload, complete. Returns the completed record (`nil`: the store refused the
    /// completion, the attempt being stale or the record cancelled).
    func run(record: VideoRecord, scratch: URL, signal: AbortSignal, logger: Logger) async throws -> VideoRecord? {
        let jobs = record.jobs.isEmpty ? configuration.defaultJobs : record.jobs
        for job in jobs { _ = try pipeline.registry.handler(named: job.rawValue) }  // unknown_job_type before any work
        let progress = ProgressReporter(
            store: store, videoID: record.id, attempt: record.attempts,
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
            downloaded = try await storage.downloadObject(bucket: record.sourceBucket, key: record.sourceKey, to: input.path)
        } catch let error as S3Error where [.noSuchKey, .notFound, .noSuchBucket].contains(error.code) {
            throw VideoFailure(
                code: "source_missing",
                message: "the source s3://\(record.sourceBucket)/\(record.sourceKey) does not exist (\(error.code))")
        }
        // The object must be the one that was checked and recorded: same size, same ETag.
        if downloaded.contentLength != record.size || (record.sourceETag != nil && downloaded.eTag != record.sourceETag) {
            throw VideoFailure(
                code: "source_changed",
                message: "the source changed after it was recorded (\(downloaded.contentLength) bytes, recorded \(record.size))")
        }
        endStage("download")
        try Task.checkCancellation()

        await progress.report(stage: .probing, percent: 2, eta: nil)
        var probe = pipeline.probe
        probe.logger = logger
        probe.limits.maximumDuration = min(probe.limits.maximumDuration, configuration.maximumVideoDuration)
        let info = try await probe.probe(input)
        let options = pipeline.options.applying(record.options)
        let workload = Self.workload(jobs: jobs, options: options, info: info, encodesOnce: pipeline.encodesOnce)
        if let failure = configuration.jobTimeoutPolicy.refusal(duration: info.duration, workload: workload) { throw failure }
        JobDeadline.current?.fit(duration: info.duration, workload: workload)
        endStage("probe")

        await progress.report(stage: .encoding, percent: 5, eta: nil)
        var jobPipeline = pipeline
        jobPipeline.options = options
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

    /// What the job encodes, for its timeout: `jobs` with the renditions of `options`' ladder that the probed source
    /// allows (none above its size; at least one), in `options`' codec.
    static func workload(jobs: [JobType], options: MediaJobOptions, info: MediaInfo, encodesOnce: Bool) -> JobTimeoutPolicy.Workload {
        let video = info.videoStream
        let ladder = Rendition.ladder(
            sourceWidth: video?.displayWidth ?? 0, sourceHeight: video?.displayHeight ?? 0,
            heights: options.renditionHeights)
        return JobTimeoutPolicy.Workload(jobs: jobs, renditions: max(1, ladder.count), codec: options.codec, encodesOnce: encodesOnce)
    }

    /// Deletes `keys` (this attempt's outputs) unless the record completed with them (another attempt's identical
    /// keys won).
    private func removeOutputs(_ keys: [String], of id: UUID, logger: Logger) async {
        guard !keys.isEmpty else { return }
        if let current = try? await store.video(id: id, owner: nil), current.status == .completed { return }
        do {
            _ = try await storage.deleteObjects(bucket: configuration.bucket, keys: keys)
            logger.info("outputs of an attempt that did not complete removed", metadata: ["count": "\(keys.count)"])
        } catch {
            logger.warning(
                "cannot remove an abandoned attempt's outputs (the orphan sweeper removes them with the video)",
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
                    try await storage.uploadObject(file: file.url(in: directory).path, bucket: configuration.bucket, key: key, contentType: file.contentType)
                    return (
                        index,
                        VideoOutput(
                            kind: file.kind.rawValue, key: key, size: file.size, contentType: file.contentType,
                            width: file.width, height: file.height, duration: file.duration)
                    )
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
}
