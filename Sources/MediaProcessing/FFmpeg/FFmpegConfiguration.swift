import Foundation

/// How FFmpeg and ffprobe are run: where they are, what inputs they may open, how they are stopped.
public struct FFmpegConfiguration: Sendable, Equatable {
    /// The demuxers an input may be opened with: MP4/MOV, Matroska/WebM, AVI, MPEG-TS, FLV, MPEG-PS.
    /// Everything else (HLS and concat playlists, image sequences, raw streams…) is refused by FFmpeg itself.
    public static let defaultAllowedDemuxers = [
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts", "flv", "mpeg",
    ]

    /// The path of the `ffmpeg` executable.
    public var ffmpegPath: String
    /// The path of the `ffprobe` executable.
    public var ffprobePath: String
    /// The demuxer names passed as `-format_whitelist` on every input.
    public var allowedDemuxers: [String]
    /// `-threads N` for decoders, encoders and filters; `nil` lets FFmpeg choose.
    public var threads: Int?
    /// How long after SIGTERM a process gets before SIGKILL.
    public var killGracePeriod: Duration
    /// The default limit on one FFmpeg run (`nil`: none); a run's own timeout overrides it.
    public var timeout: Duration?
    /// The limit on one ffprobe run.
    public var probeTimeout: Duration
    /// How many stderr lines are kept for error messages.
    public var stderrTailLines: Int
    /// The largest frame (width × height) any decoder of ffprobe or FFmpeg may allocate (`-max_pixels` on every
    /// input): a stream whose header understates its size, or one that is never checked, cannot make a decoder
    /// allocate more. `nil`: FFmpeg's own limit (`INT_MAX`).
    public var maximumDecodedPixels: Int?
    /// The most streams a demuxer of ffprobe or FFmpeg may create (`-max_streams` on every input): a file with more
    /// is refused while its header is read, before a decoder is opened for each stream (ffprobe took 409 MiB on 40
    /// copies of a 4K stream). `nil`: FFmpeg's own limit (1000).
    public var maximumStreams: Int?
    /// The sandbox ffprobe and FFmpeg run in (`nil`: none; the consumer uses one by default).
    public var sandbox: Sandbox?

    public init(
        ffmpegPath: String? = nil,
        ffprobePath: String? = nil,
        allowedDemuxers: [String] = FFmpegConfiguration.defaultAllowedDemuxers,
        threads: Int? = nil,
        killGracePeriod: Duration = .seconds(3),
        timeout: Duration? = nil,
        probeTimeout: Duration = .seconds(60),
        stderrTailLines: Int = 20,
        maximumDecodedPixels: Int? = ProbeLimits.default.maximumPixels,
        sandbox: Sandbox? = nil,
        maximumStreams: Int? = ProbeLimits.default.maximumStreams
    ) {
        self.ffmpegPath = ffmpegPath ?? Self.locate("ffmpeg")
        self.ffprobePath = ffprobePath ?? Self.locate("ffprobe")
        self.allowedDemuxers = allowedDemuxers
        self.threads = threads
        self.killGracePeriod = killGracePeriod
        self.timeout = timeout
        self.probeTimeout = probeTimeout
        self.stderrTailLines = stderrTailLines
        self.maximumDecodedPixels = maximumDecodedPixels
        self.maximumStreams = maximumStreams
        self.sandbox = sandbox
    }

    /// The command that runs `tool` with `arguments`: in the sandbox when there is one, seeing the directories of
    /// `inputs` read-only and `workingDirectory` (where outputs go) read-write.
    func command(tool: String, arguments: [String], inputs: [URL], workingDirectory: URL?) -> (executable: URL, arguments: [String]) {
        guard let sandbox else { return (URL(fileURLWithPath: tool), arguments) }
        let wrapped = sandbox.command(
            executable: tool, arguments: arguments, readable: inputs.map { $0.deletingLastPathComponent() },
            writable: workingDirectory.map { [$0] } ?? [], workingDirectory: workingDirectory)
        return (URL(fileURLWithPath: wrapped.executable), wrapped.arguments)
    }

    /// The `-format_whitelist` value.
    public var formatWhitelist: String { allowedDemuxers.joined(separator: ",") }

    /// Finds `name` on `PATH`, else `/usr/bin/name`.
    static func locate(_ name: String) -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/\(name)"
    }

    /// The options put before every input: only local files (and pipes), only the allowed demuxers, frames no
    /// larger than ``maximumDecodedPixels``, no more than ``maximumStreams`` streams.
    func inputGuardArguments(protocols: String) -> [String] {
        ["-protocol_whitelist", protocols, "-format_whitelist", formatWhitelist]
            + (maximumDecodedPixels.map { ["-max_pixels", String($0)] } ?? [])
            + (maximumStreams.map { ["-max_streams", String($0)] } ?? [])
    }

    /// What a demuxer logs when a file has more streams than ``maximumStreams`` (it then fails, or for MPEG-TS
    /// carries on without the extra streams).
    static let tooManyStreamsMessage = "exceeds max_streams"

    /// An input path FFmpeg cannot read as anything but a local file (no `-`, no `proto:` prefix).
    static func fileArgument(_ url: URL) -> String {
        "file:" + url.standardizedFileURL.path
    }
}
