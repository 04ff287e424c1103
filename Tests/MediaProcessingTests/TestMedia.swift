import Foundation
import Synchronization
import Testing

@testable import MediaProcessing

/// Small inputs made once per test run with FFmpeg's test sources, in a temporary directory.
struct TestMedia: Sendable {
    let directory: URL
    /// 1280×720, 25 fps, 440 Hz sine, 2 s (H.264/AAC MP4).
    let hd: URL
    /// 320×240, 25 fps, sine, 3 s.
    let small: URL
    /// 320×240, 25 fps, no audio, 1 s.
    let silent: URL
    /// 160×120, 3 s: 1 s red, 1 s blue, 1 s testsrc2, with audio (cuts at 1 s and 2 s).
    let scenes: URL
    /// 320×240, 1 s clip repeated by stream copy to 300 s (for cancellation).
    let long: URL

    /// The shared instance (generated on first use).
    static let shared = Task<TestMedia, any Error> { try await make() }

    static func get() async throws -> TestMedia { try await shared.value }

    private static func make() async throws -> TestMedia {
        removeStaleDirectories()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mp-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> URL { directory.appendingPathComponent(name) }
        let x264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        let aac = ["-c:a", "aac", "-b:a", "64k"]
        try await runTool(
            "ffmpeg",
            ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2"]
                + x264 + aac + [path("hd.mp4").path])
        try await runTool(
            "ffmpeg",
            ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3"]
                + x264 + aac + [path("small.mp4").path])
        try await runTool(
            "ffmpeg", ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1"] + x264 + ["-crf", "35", path("silent.mp4").path])
        try await runTool(
            "ffmpeg",
            [
                "-f", "lavfi", "-i", "color=c=red:size=160x120:rate=25:d=1", "-f", "lavfi", "-i", "color=c=blue:size=160x120:rate=25:d=1",
                "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:d=1", "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000:d=3",
                "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]", "-map", "[v]", "-map", "3:a",
            ] + x264 + aac + [path("scenes.mp4").path])
        try await runTool("ffmpeg", ["-stream_loop", "299", "-i", path("silent.mp4").path, "-c", "copy", path("long.mp4").path])
        return TestMedia(
            directory: directory, hd: path("hd.mp4"), small: path("small.mp4"), silent: path("silent.mp4"), scenes: path("scenes.mp4"),
            long: path("long.mp4"))
    }

    /// Removes the directories of earlier test runs whose process is gone.
    private static func removeStaleDirectories() {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix("mp-tests-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[2]), pid != getpid(), !processExists(pid) else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }

    /// A fresh, empty directory for one test's outputs.
    func jobDirectory(_ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = directory.appendingPathComponent("jobs").appendingPathComponent("\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct ToolFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs `ffmpeg`/`ffprobe` (no whitelist: test set-up and independent checks of outputs) and returns stdout.
@discardableResult
func runTool(_ tool: String, _ arguments: [String]) async throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: FFmpegConfiguration.locate(tool))
    process.arguments = (tool == "ffmpeg" ? ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"] : ["-v", "error"]) + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    let done = Latch()
    process.terminationHandler = { _ in done.open() }
    try process.run()
    // Read both pipes to the end off the cooperative pool.
    let stdout = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
    let stderr = Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }
    await done.wait()
    let out = await stdout.value
    let err = await stderr.value
    guard process.terminationStatus == 0 else {
        throw ToolFailure(description: "\(tool) \(arguments.joined(separator: " ")) failed: \(String(decoding: err, as: UTF8.self))")
    }
    return out
}

/// An independent ffprobe of an output (no whitelist: JPEGs and WAVs too).
struct Probed: Decodable {
    struct Stream: Decodable {
        var codec_type: String?
        var codec_name: String?
        var width: Int?
        var height: Int?
        var sample_rate: String?
        var channels: Int?
        var pix_fmt: String?
    }
    struct Format: Decodable {
        var duration: String?
        var format_name: String?
    }
    var streams: [Stream]
    var format: Format

    var video: Stream? { streams.first { $0.codec_type == "video" } }
    var audio: Stream? { streams.first { $0.codec_type == "audio" } }
    var duration: Double { Double(format.duration ?? "") ?? 0 }

    static func of(_ url: URL) async throws -> Probed {
        let data = try await runTool("ffprobe", ["-print_format", "json", "-show_format", "-show_streams", url.path])
        return try JSONDecoder().decode(Probed.self, from: data)
    }
}

/// Collects progress reports for later checks.
final class ProgressLog: Sendable {
    private let values = MutexBox<[Double]>([])
    func append(_ value: Double) { values.withLock { $0.append(value) } }
    var all: [Double] { values.withLock { $0 } }

    /// Whether the values never decrease and end at 100.
    var isMonotonicToHundred: Bool {
        let all = all
        return !all.isEmpty && zip(all, all.dropFirst()).allSatisfy { $0 <= $1 } && all.last == 100
    }
}

/// `Mutex` in a class, so closures can share it.
final class MutexBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}

/// Test job options: the fastest x264 preset.
let fastOptions = MediaJobOptions(x264Preset: "ultrafast")

/// A context for `input` writing in `directory`, progress recorded in `log`.
func makeContext(
    input: URL, directory: URL, options: MediaJobOptions = fastOptions, runner: FFmpegRunner = FFmpegRunner(), log: ProgressLog? = nil
) async throws -> MediaJobContext {
    let info = try await MediaProbe().probe(input)
    return MediaJobContext(input: input, info: info, outputDirectory: directory, runner: runner, options: options) { progress in
        log?.append(progress.percent)
    }
}

/// Whether a process with `pid` exists (a zombie counts as existing).
func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}

/// The code of the `MediaError` `body` throws (nil if it throws something else or nothing).
func mediaError(_ body: () async throws -> Void) async -> MediaError? {
    do {
        try await body()
        return nil
    } catch let error as MediaError {
        return error
    } catch {
        return nil
    }
}
