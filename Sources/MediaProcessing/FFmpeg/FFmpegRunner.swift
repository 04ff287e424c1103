import Foundation
import Logging
import Synchronization

/// Runs FFmpeg as a child process with an argument array (never a shell).
///
/// Every input is opened with `-protocol_whitelist file,pipe` and `-format_whitelist` (the configured
/// demuxers), so a playlist or a concat list cannot make FFmpeg read anything else. Progress comes from
/// `-progress pipe:1`; errors carry the last lines of stderr. Cancelling the calling task or reaching
/// the timeout sends SIGTERM, then SIGKILL after the grace period, and `run` returns only once the
/// process is gone.
public struct FFmpegRunner: Sendable {
    /// Paths, whitelists, threads, timeouts.
    public var configuration: FFmpegConfiguration
    /// Where runs are logged (command at debug level, failures at warning level).
    public var logger: Logger
    /// Called with the pid of every FFmpeg process this runner starts (for supervision and tests).
    public var onProcessStart: (@Sendable (Int32) -> Void)?

    public init(
        configuration: FFmpegConfiguration = FFmpegConfiguration(), logger: Logger = Logger(label: "videoqueue.mediaprocessing.ffmpeg"),
        onProcessStart: (@Sendable (Int32) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onProcessStart = onProcessStart
    }

    /// The `-threads N` arguments to put before each output (empty when FFmpeg chooses).
    public var outputThreadArguments: [String] {
        configuration.threads.map { ["-threads", String($0)] } ?? []
    }

    /// The whole argument array of `invocation` (without the executable).
    public func arguments(for invocation: FFmpegInvocation) -> [String] {
        var arguments = [
            "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-progress", "pipe:1", "-y",
        ]
        if let threads = configuration.threads { arguments += ["-filter_threads", String(threads)] }
        for input in invocation.inputs {
            arguments += configuration.inputGuardArguments(protocols: "file,pipe")
            if let threads = configuration.threads { arguments += ["-threads", String(threads)] }
            arguments += input.options
            arguments += ["-i", FFmpegConfiguration.fileArgument(input.url)]
        }
        return arguments + invocation.outputArguments
    }

    /// Runs `invocation` to its end.
    /// - Parameters:
    ///   - timeout: overrides `configuration.timeout` for this run.
    ///   - onStart: called with the child's pid once it runs.
    ///   - progress: called with each progress report, in order, from a task of its own.
    /// - Throws: `MediaError` (`.ffmpegFailed`, `.cancelled`, `.timedOut`, `.toolUnavailable`, `.insufficientDiskSpace` when
    ///   the outputs grew past ``FFmpegInvocation/outputLimit``).
    @discardableResult
    public func run(
        _ invocation: FFmpegInvocation,
        timeout: Duration? = nil,
        onStart: (@Sendable (Int32) -> Void)? = nil,
        progress: (@Sendable (FFmpegProgress) async -> Void)? = nil
    ) async throws -> FFmpegResult {
        let arguments = arguments(for: invocation)
        logger.debug("ffmpeg", metadata: ["arguments": "\(arguments.joined(separator: " "))"])
        let clock = ContinuousClock()
        let start = clock.now
        let parser = Mutex(FFmpegProgressParser(expectedDuration: invocation.expectedDuration))
        let last = Mutex<FFmpegProgress?>(nil)

        let command = configuration.command(
            tool: configuration.ffmpegPath, arguments: arguments, inputs: invocation.inputs.map(\.url),
            workingDirectory: invocation.workingDirectory)
        var child = ChildProcess(
            executable: command.executable, arguments: command.arguments,
            workingDirectory: invocation.workingDirectory, timeout: timeout ?? configuration.timeout,
            killGracePeriod: configuration.killGracePeriod, stderrTailLines: configuration.stderrTailLines)
        child.outputLimit = invocation.outputLimit
        let observer = onProcessStart
        child.onStart = { pid in
            observer?(pid)
            onStart?(pid)
        }
        let outcome = try await child.run(tool: "FFmpeg (\(configuration.ffmpegPath))") { line -> FFmpegProgress? in
            let elapsed = (clock.now - start).timeInterval
            guard let report = parser.withLock({ $0.consume(line: line, elapsed: elapsed) }) else { return nil }
            last.withLock { $0 = report }
            return report
        } deliver: { report in
            await progress?(report)
        }

        let elapsed = clock.now - start
        if let error = Self.error(for: outcome, tool: "FFmpeg", elapsed: elapsed, outputLimit: invocation.outputLimit) {
            logger.warning("ffmpeg failed", metadata: ["error": "\(error)"])
            throw error
        }
        return FFmpegResult(stderrTail: outcome.stderrTail, lastProgress: last.withLock { $0 }, elapsed: elapsed)
    }

    /// The error an outcome stands for, or `nil` for a clean exit.
    static func error(
        for outcome: ChildProcess.Outcome, tool: String, elapsed: Duration, outputLimit: FFmpegInvocation.OutputLimit? = nil
    ) -> MediaError? {
        let tail = outcome.stderrTail
        switch outcome.stopReason {
        case .cancelled:
            return MediaError(
                code: .cancelled, message: "\(tool) was stopped because the task was cancelled", exitStatus: outcome.ending.status, stderrTail: tail)
        case .timedOut:
            return MediaError(code: .timedOut, message: "\(tool) was stopped after \(elapsed)", exitStatus: outcome.ending.status, stderrTail: tail)
        case .outputTooLarge:
            let share = outputLimit.map { " (\($0.maximumBytes) bytes in \($0.directory.lastPathComponent)/)" } ?? ""
            return MediaError(
                code: .insufficientDiskSpace, message: "\(tool) was stopped: its outputs grew past their share of the free disk space\(share)",
                exitStatus: outcome.ending.status, stderrTail: tail)
        case nil:
            break
        }
        switch outcome.ending {
        case .exited(0):
            return nil
        case .exited(let status):
            if tail.contains(where: { $0.localizedCaseInsensitiveContains("No space left on device") }) {
                return MediaError(code: .insufficientDiskSpace, message: "\(tool) ran out of disk space", exitStatus: status, stderrTail: tail)
            }
            let reason = tail.last.map { ": \($0)" } ?? ""
            return MediaError(code: .ffmpegFailed, message: "\(tool) exited with status \(status)\(reason)", exitStatus: status, stderrTail: tail)
        case .signalled(let signal):
            // Killed from outside (the OOM killer, an operator): the input is not to blame.
            return MediaError(
                code: .ffmpegKilled,
                message: "\(tool) was killed by signal \(signal)" + (signal == 9 ? " (the memory limit of the consumer's unit, or the OOM killer)" : ""),
                exitStatus: signal, stderrTail: tail)
        }
    }
}

extension ChildProcess.Ending {
    /// The exit status or the signal number.
    var status: Int32 {
        switch self {
        case .exited(let status), .signalled(let status): status
        }
    }
}
