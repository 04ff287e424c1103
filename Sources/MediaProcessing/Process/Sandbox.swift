import Foundation

/// Runs ffprobe and FFmpeg — the programs that parse hostile bytes — inside a bubblewrap sandbox: no network
/// (a new network namespace with no interface up, so not IMDS, not the database, not 127.0.0.1), no
/// capabilities, its own PID and IPC namespaces, the system's `/usr` read-only, and of the rest of the file
/// system only the job's input (read-only) and output directories (read-write): not the consumer's database,
/// credentials, configuration or other jobs' files. It dies with the consumer.
///
/// bubblewrap is Debian's `bubblewrap` package (`/usr/bin/bwrap`); it needs no setuid bit when the consumer
/// runs as root or user namespaces are allowed (the shipped unit allows them).
public struct Sandbox: Sendable, Equatable {
    /// The `bwrap` executable.
    public var bubblewrapPath: String

    public init(bubblewrapPath: String = "/usr/bin/bwrap") {
        self.bubblewrapPath = bubblewrapPath
    }

    /// The executable and arguments that run `executable arguments` in the sandbox, seeing `readable`
    /// directories read-only and `writable` ones read-write, in `workingDirectory`.
    public func command(
        executable: String, arguments: [String], readable: [URL], writable: [URL], workingDirectory: URL?
    ) -> (executable: String, arguments: [String]) {
        var wrapped = [
            "--unshare-all", "--die-with-parent", "--cap-drop", "ALL",
            "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LC_ALL", "C",
        ]
        // /bin, /lib… are links into /usr on merged-/usr systems and directories elsewhere.
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top) {
                wrapped += ["--symlink", target, top]
            } else if FileManager.default.fileExists(atPath: top) {
                wrapped += ["--ro-bind", top, top]
            }
        }
        for file in ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/sys/devices/system/cpu"] {
            wrapped += ["--ro-bind-try", file, file]
        }
        // Shorter paths first, so that a writable directory inside a readable one stays writable.
        let binds = (readable.map { ($0.standardizedFileURL.path, false) } + writable.map { ($0.standardizedFileURL.path, true) })
            .sorted { $0.0.count < $1.0.count }
        var seen = Set<String>()
        for (path, isWritable) in binds where seen.insert("\(path)|\(isWritable)").inserted {
            wrapped += [isWritable ? "--bind" : "--ro-bind", path, path]
        }
        if let workingDirectory { wrapped += ["--chdir", workingDirectory.standardizedFileURL.path] }
        return (bubblewrapPath, wrapped + ["--", executable] + arguments)
    }

    /// Whether the sandbox can run here: starts `/usr/bin/true` (or `/bin/true`) in it once.
    public func check() -> Result<Void, MediaError> {
        guard FileManager.default.isExecutableFile(atPath: bubblewrapPath) else {
            return .failure(MediaError(code: .toolUnavailable, message: "\(bubblewrapPath) does not exist (install Debian's bubblewrap)"))
        }
        let probe = FileManager.default.isExecutableFile(atPath: "/usr/bin/true") ? "/usr/bin/true" : "/bin/true"
        let (executable, arguments) = command(executable: probe, arguments: [], readable: [], writable: [], workingDirectory: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(MediaError(code: .toolUnavailable, message: "cannot start \(bubblewrapPath): \(error)"))
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(
                MediaError(
                    code: .toolUnavailable, message: "bubblewrap cannot start a sandbox here: \(message.trimmingCharacters(in: .whitespacesAndNewlines))"))
        }
        return .success(())
    }
}
