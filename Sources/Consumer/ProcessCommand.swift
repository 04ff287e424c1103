import ArgumentParser
import ConsumerService
import Foundation
import Logging
import MediaProcessing
import ServiceSupport
import VideoCore

/// `consumer process FILE --output DIR --jobs …`: the media jobs on a local file, without SQS, S3 or a database
/// (to try settings, and for `Benchmarks/encode.sh`).
struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Run media jobs on a local file (no queue, bucket or database) and list what they wrote.",
        discussion: """
            FFmpeg's paths, threads, sandbox and the input limits come from the consumer's environment variables \
            (VIDEOQUEUE_FFMPEG_PATH, VIDEOQUEUE_MAX_DURATION…). Exit status: 0 done, 4 the input or a job failed, \
            78 bad arguments.
            """
    )

    /// Which pipeline runs `transcode` and `hls` together.
    enum Pipeline: String, ExpressibleByArgument, CaseIterable {
        /// One encode per rendition, packaged as MP4 and HLS.
        case shared
        /// Each job its own encode (the older pipeline, kept for comparison).
        case perJob = "per-job"
    }

    /// One job's outputs, as `--json` prints them.
    struct JobOutputs: Encodable {
        var job: String
        var files: [ProducedFile]
    }

    @Argument(help: "The input video file.")
    var input: String
    @Option(help: "The directory the outputs are written to (made if missing).")
    var output: String
    @Option(help: "The jobs, comma-separated (transcode, hls, thumbnails, cut_analysis, audio).")
    var jobs: String = "transcode"
    @Option(help: "shared: transcode and hls share one encode; per-job: each job encodes on its own [VIDEOQUEUE_SINGLE_ENCODE].")
    var pipeline: Pipeline?
    @Option(help: "Processing options as JSON, e.g. '{\"renditions\":[720],\"codec\":\"hevc\",\"quality\":26}'.")
    var options: String?
    @Flag(help: "Print the outputs as JSON.")
    var json = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical [LOG_LEVEL; default warning].")
    var logLevel: String?

    func run() async throws {
        let settings = try Settings.load(flags: [.init("--log-level", "LOG_LEVEL", logLevel)])
        let logger = ServiceLogging.bootstrap(label: "videoqueue.consumer", level: settings.string("LOG_LEVEL", default: "warning"))
        var configuration: ConsumerConfiguration
        let names: [String]
        do {
            configuration = try ConsumerConfiguration(settings: settings)
            names = try ConsumerConfiguration.parseJobs(jobs, setting: "--jobs").map(\.rawValue)
        } catch {
            logger.critical("bad configuration", metadata: ["error": "\(error)"])
            throw ExitCode(ConsumerExitCode.configuration)
        }
        if let pipeline { configuration.encodesOnce = pipeline == .shared }
        var media = ConsumerService.standardPipeline(configuration, logger: logger)
        if let options {
            do {
                let parsed = try ProcessingOptions.decode(Data(options.utf8), root: "--options")
                media.options = media.options.applying(try parsed.validated(codecs: media.availableCodecs ?? [.h264], root: "--options"))
            } catch {
                logger.critical("bad options", metadata: ["error": "\(error)"])
                throw ExitCode(ConsumerExitCode.configuration)
            }
        }
        let results: [MediaJobPipeline.JobResult]
        do {
            results = try await media.run(
                jobs: names, input: URL(fileURLWithPath: input), outputDirectory: URL(fileURLWithPath: output, isDirectory: true))
        } catch {
            logger.error("processing failed", metadata: ["error": "\(error)"])
            throw ExitCode(JobOutcome.failed.exitCode)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let document = ["jobs": results.map { JobOutputs(job: $0.job, files: $0.files) }]
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
        } else {
            for result in results {
                for file in result.files { print("\(result.job)\t\(file.relativePath)\t\(file.size)") }
            }
        }
    }
}
