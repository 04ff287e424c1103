import Foundation

/// Runs a short-lived tool once (at start-up: `ffmpeg -encoders`) and returns what it printed.
public enum ToolOutput {
    /// The standard output of `executable arguments` (found on `PATH` when not absolute), or `nil` when it cannot
    /// start, exits with an error or takes longer than `timeout` seconds (then it is killed). Blocks the calling
    /// thread: call it while starting, before the services run.
    public static func run(_ executable: String, _ arguments: [String], timeout: Double = 10, limit: Int = 1 << 20) -> String? {
        let path = executable.hasPrefix("/") ? executable : locate(executable)
        guard let path, FileManager.default.isExecutableFile(atPath: path) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return nil
        }
        let reader = output.fileHandleForReading
        var data = Data()
        while data.count < limit, let chunk = try? reader.read(upToCount: 65_536), !chunk.isEmpty { data.append(chunk) }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            exited.wait()
            return nil
        }
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// `name` on `PATH`, or `nil`.
    public static func locate(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
