import Foundation
import Logging

/// Reads what a media file contains with ffprobe, and checks it against `ProbeLimits`.
///
/// ffprobe runs as `ffprobe -v error -print_format json -show_format -show_streams
/// -protocol_whitelist file -format_whitelist <allowed demuxers> file:<path>` (an argument array,
/// no shell): a playlist (HLS, concat) or any container outside the list is refused before it is parsed.
public struct MediaProbe: Sendable {
    /// Where ffprobe is and which demuxers are allowed.
    public var configuration: FFmpegConfiguration
    /// The limits `probe(_:)` checks.
    public var limits: ProbeLimits
    /// Where failures are logged.
    public var logger: Logger

    public init(
        configuration: FFmpegConfiguration = FFmpegConfiguration(), limits: ProbeLimits = .default,
        logger: Logger = Logger(label: "videoqueue.mediaprocessing.probe")
    ) {
        self.configuration = configuration
        self.limits = limits
        self.logger = logger
    }

    /// The ffprobe arguments for `url`.
    public func arguments(for url: URL) -> [String] {
        ["-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
            + configuration.inputGuardArguments(protocols: "file")
            + [FFmpegConfiguration.fileArgument(url)]
    }

    /// Probes `url` and checks the limits (`limits` overrides `self.limits`).
    /// - Throws: `MediaError`: `.inputNotFound`, `.emptyInput`, `.unsupportedFormat`, `.probeFailed`,
    ///   `.noVideoStream`, `.dimensionsTooLarge`, `.durationTooLong`, `.durationTooShort`,
    ///   `.cancelled`, `.timedOut`, `.toolUnavailable`.
    public func probe(_ url: URL, limits: ProbeLimits? = nil) async throws -> MediaInfo {
        try Self.checkInputFile(url)
        let command = configuration.command(tool: configuration.ffprobePath, arguments: arguments(for: url), inputs: [url], workingDirectory: nil)
        let child = ChildProcess(
            executable: command.executable, arguments: command.arguments, workingDirectory: nil,
            timeout: configuration.probeTimeout, killGracePeriod: configuration.killGracePeriod,
            stderrTailLines: configuration.stderrTailLines, collectStdout: true)
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await child.run()
        } catch is CancellationError {
            throw MediaError(code: .cancelled, message: "cancelled before ffprobe started")
        } catch {
            throw MediaError(code: .toolUnavailable, message: "cannot start \(configuration.ffprobePath): \(error)")
        }
        if outcome.stopReason != nil, let error = FFmpegRunner.error(for: outcome, tool: "ffprobe", elapsed: configuration.probeTimeout) {
            throw error
        }
        if case .exited(let status) = outcome.ending, status != 0 {
            let tail = outcome.stderrTail
            let name = url.lastPathComponent
            if tail.contains(where: { $0.contains("not on whitelist") }) {
                throw MediaError(
                    code: .unsupportedFormat,
                    message: "\(name) is not in an accepted container (\(configuration.formatWhitelist))",
                    exitStatus: status, stderrTail: tail)
            }
            throw MediaError(
                code: .probeFailed, message: "\(name) cannot be read as media: \(tail.last ?? "ffprobe failed")",
                exitStatus: status, stderrTail: tail)
        }
        if case .signalled = outcome.ending, let error = FFmpegRunner.error(for: outcome, tool: "ffprobe", elapsed: .zero) {
            throw error
        }
        // A stream whose frames are larger than `-max_pixels` is reported with no size: it is too large.
        if let line = outcome.stderrTail.first(where: { $0.contains("exceeds specified max pixel count") }) {
            throw MediaError(code: .dimensionsTooLarge, message: "\(url.lastPathComponent) has a stream larger than the pixel limit",
                             stderrTail: [line])
        }
        guard !outcome.stdoutTruncated, let output = try? JSONDecoder().decode(FFprobeOutput.self, from: outcome.stdout) else {
            throw MediaError(code: .probeFailed, message: "ffprobe's report on \(url.lastPathComponent) cannot be read", stderrTail: outcome.stderrTail)
        }
        let info = output.mediaInfo()
        guard !info.streams.isEmpty else {
            throw MediaError(code: .probeFailed, message: "\(url.lastPathComponent) has no streams", stderrTail: outcome.stderrTail)
        }
        let allowed = Set(configuration.allowedDemuxers)
        guard info.formatName.split(separator: ",").contains(where: { allowed.contains(String($0)) }) else {
            throw MediaError(code: .unsupportedFormat, message: "\(url.lastPathComponent) is in \(info.formatName), which is not accepted")
        }
        do {
            try (limits ?? self.limits).check(info)
        } catch {
            logger.info("input refused", metadata: ["file": "\(url.lastPathComponent)", "error": "\(error)"])
            throw error
        }
        return info
    }

    /// Throws unless `url` is an existing, non-empty regular file.
    static func checkInputFile(_ url: URL) throws(MediaError) {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        } catch {
            throw MediaError(code: .inputNotFound, message: "\(url.path) cannot be read")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw MediaError(code: .probeFailed, message: "\(url.lastPathComponent) is not a regular file")
        }
        if let size = attributes[.size] as? NSNumber, size.int64Value == 0 {
            throw MediaError(code: .emptyInput, message: "\(url.lastPathComponent) is empty")
        }
    }
}
