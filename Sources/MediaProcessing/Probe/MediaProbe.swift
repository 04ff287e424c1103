import Foundation
import Logging

/// Reads what a media file contains with ffprobe, and checks it against `ProbeLimits`.
///
/// ffprobe runs as `ffprobe -v error -print_format json -show_format -show_streams
/// -protocol_whitelist file -format_whitelist <allowed demuxers> -max_pixels N -max_streams N file:<path>` (an argument
/// array, no shell): a playlist (HLS, concat) or any container outside the list is refused before it is parsed, and a
/// file with more streams than `-max_streams` while its header is read (`MediaError.Code.tooManyStreams`).
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
    ///   `.noVideoStream`, `.dimensionsTooLarge`, `.durationTooLong`, `.durationTooShort`, `.tooManyStreams`,
    ///   `.tooManyVideoStreams`, `.frameRateTooHigh`, `.sampleRateTooHigh`, `.tooManyAudioChannels`,
    ///   `.cancelled`, `.timedOut`, `.toolUnavailable`.
    public func probe(_ url: URL, limits: ProbeLimits? = nil) async throws -> MediaInfo {
        try Self.checkInputFile(url)
        let limits = limits ?? self.limits
        let outcome = try await runProbe(arguments(for: url), of: url)
        // More streams than the demuxer may create: it failed, or (MPEG-TS) carried on without the rest.
        if let line = outcome.stderrTail.first(where: { $0.contains(FFmpegConfiguration.tooManyStreamsMessage) }) {
            throw MediaError(
                code: .tooManyStreams,
                message: "\(url.lastPathComponent) has more than \(configuration.maximumStreams ?? limits.maximumStreams) streams", stderrTail: [line])
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
            throw MediaError(
                code: .dimensionsTooLarge, message: "\(url.lastPathComponent) has a stream larger than the pixel limit",
                stderrTail: [line])
        }
        guard !outcome.stdoutTruncated, let output = try? JSONDecoder().decode(FFprobeOutput.self, from: outcome.stdout) else {
            throw MediaError(code: .probeFailed, message: "ffprobe's report on \(url.lastPathComponent) cannot be read", stderrTail: outcome.stderrTail)
        }
        var info = output.mediaInfo()
        guard !info.streams.isEmpty else {
            throw MediaError(code: .probeFailed, message: "\(url.lastPathComponent) has no streams", stderrTail: outcome.stderrTail)
        }
        let allowed = Set(configuration.allowedDemuxers)
        guard info.formatName.split(separator: ",").contains(where: { allowed.contains(String($0)) }) else {
            throw MediaError(code: .unsupportedFormat, message: "\(url.lastPathComponent) is in \(info.formatName), which is not accepted")
        }
        do {
            // A video stream without an average rate whose r_frame_rate is above the limit: that is often only the
            // time base of a variable-rate file (1000 for millisecond timestamps), so its rate is measured instead,
            // once everything else has passed.
            let unsettled = (output.streams ?? []).indices.filter { offset in
                let stream = info.streams[offset]
                return stream.type == .video && !stream.isAttachedPicture && FFprobeOutput.rate(output.streams?[offset].avg_frame_rate) == nil
                    && !((stream.frameRate ?? 0) <= limits.maximumFrameRate)
            }
            var provisional = info
            for offset in unsettled { provisional.streams[offset].frameRate = nil }
            try limits.check(provisional)
            for offset in unsettled {
                info.streams[offset].frameRate = try await measuredFrameRate(of: url, stream: info.streams[offset].index, limit: limits.maximumFrameRate)
                try limits.checkFrameRate(info.streams[offset])
            }
        } catch {
            logger.info("input refused", metadata: ["file": "\(url.lastPathComponent)", "error": "\(error)"])
            throw error
        }
        return info
    }

    /// The frame rate of the first packets of stream `index` (enough of them to span 2 s at `limit`), from their
    /// timestamps; `nil` when fewer than two have one. Packets that all share one timestamp are an infinite rate.
    func measuredFrameRate(of url: URL, stream index: Int, limit: Double) async throws -> Double? {
        let count = Int(min(max(limit, 1), 5000) * 2) + 1
        let arguments =
            [
                "-v", "error", "-select_streams", String(index), "-read_intervals", "%+#\(count)",
                "-show_entries", "packet=pts_time,dts_time", "-of", "csv=p=0",
            ]
            + configuration.inputGuardArguments(protocols: "file") + [FFmpegConfiguration.fileArgument(url)]
        let outcome = try await runProbe(arguments, of: url)
        guard case .exited(0) = outcome.ending, !outcome.stdoutTruncated else {
            throw MediaError(
                code: .probeFailed, message: "the packets of stream #\(index) of \(url.lastPathComponent) cannot be read", stderrTail: outcome.stderrTail)
        }
        let times = String(decoding: outcome.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { line in
            line.split(separator: ",").lazy.compactMap { Double($0) }.first { $0.isFinite }
        }
        guard times.count >= 2, let first = times.min(), let last = times.max() else { return nil }
        return last > first ? Double(times.count - 1) / (last - first) : .infinity
    }

    /// Runs ffprobe with `arguments` on `url`, turning a failure to start, a cancellation and a timeout into errors.
    private func runProbe(_ arguments: [String], of url: URL) async throws -> ChildProcess.Outcome {
        let command = configuration.command(tool: configuration.ffprobePath, arguments: arguments, inputs: [url], workingDirectory: nil)
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
        return outcome
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
