import Foundation
import Synchronization

/// Starts and stops `videoqueue-consumer@N` instances on this host through `systemctl` (the `--local` mode).
///
/// Stops are `--no-block`: systemd sends SIGTERM and the consumer drains its jobs for up to its drain
/// timeout while the autoscaler carries on; starts are `--no-block` too (the instance is `activating` until it
/// reports READY=1).
public struct SystemctlController: Sendable {
    /// The template's name without `@.service`.
    public var unitPrefix: String
    /// `systemctl`, found on the environment's `PATH`, or a path.
    public var executable: String
    /// The environment `systemctl` runs with (and whose `PATH` finds it).
    public var environment: [String: String]

    public init(
        unitPrefix: String = "videoqueue-consumer", executable: String = "systemctl",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.unitPrefix = unitPrefix
        self.executable = executable
        self.environment = environment
    }

    /// The unit name of instance `number`.
    public func unitName(_ number: Int) -> String { "\(unitPrefix)@\(number).service" }

    /// The consumer units systemd knows (loaded, running or not).
    public func units() async throws -> [ConsumerUnit] {
        let output = try await run(["list-units", "--all", "--plain", "--no-legend", "--no-pager", "--type=service", "\(unitPrefix)@*.service"])
        return ConsumerUnit.parse(listUnits: output, prefix: unitPrefix)
    }

    /// Starts instance `number`.
    public func start(_ number: Int) async throws {
        _ = try await run(["start", "--no-block", unitName(number)])
    }

    /// Asks instance `number` to stop: SIGTERM, it drains and exits.
    public func stop(_ number: Int) async throws {
        _ = try await run(["stop", "--no-block", unitName(number)])
    }

    /// The path `executable` resolves to.
    public func resolvedExecutable() throws(AutoscalerError) -> String {
        if executable.contains("/") { return executable }
        let path = environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw AutoscalerError(code: .systemctl, message: "\(executable) not found on PATH (\(path))")
    }

    /// Runs `systemctl arguments…` and returns its standard output.
    /// - Throws: ``AutoscalerError`` (`systemctl`) when it cannot run or exits non-zero (with its stderr).
    public func run(_ arguments: [String]) async throws -> String {
        let path = try resolvedExecutable()
        let environment = environment
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: path)
                process.arguments = arguments
                process.environment = environment
                let output = Pipe()
                let errors = Pipe()
                process.standardOutput = output
                process.standardError = errors
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: AutoscalerError(code: .systemctl, message: "cannot run \(path): \(error)"))
                    return
                }
                // Read stderr on another thread so neither pipe can fill up and block the child.
                let errorData = Mutex<Data>(Data())
                let group = DispatchGroup()
                group.enter()
                DispatchQueue.global().async {
                    let data = errors.fileHandleForReading.readDataToEndOfFile()
                    errorData.withLock { $0 = data }
                    group.leave()
                }
                let data = output.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                let text = String(decoding: data, as: UTF8.self)
                guard process.terminationStatus == 0 else {
                    let message = String(decoding: errorData.withLock { $0 }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    continuation.resume(
                        throwing: AutoscalerError(
                            code: .systemctl,
                            message: "systemctl \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)"
                                + (message.isEmpty ? "" : ": \(message)")))
                    return
                }
                continuation.resume(returning: text)
            }
        }
    }
}
