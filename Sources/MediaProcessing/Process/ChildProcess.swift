import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs one executable with an argument array (no shell), streams its stdout and stderr line by line,
/// and makes sure it is gone when `run` returns: task cancellation and the timeout send SIGTERM to its
/// process group, then SIGKILL after a grace period, and `run` waits for the exit (the process is
/// reaped) in every case.
struct ChildProcess: Sendable {
    /// How the run ended.
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Why we asked the process to stop, if we did.
    enum StopReason: Sendable, Equatable {
        case cancelled
        case timedOut
        /// The files it writes grew past ``ChildProcess/outputLimit``.
        case outputTooLarge
    }

    /// What `run` returns.
    struct Outcome: Sendable {
        var ending: Ending
        var stopReason: StopReason?
        /// The whole of stdout when `collectStdout` was set (capped), else empty.
        var stdout: Data
        /// The last lines of stderr, oldest first.
        var stderrTail: [String]
        /// Whether stdout was longer than the cap and was truncated.
        var stdoutTruncated: Bool
    }

    var executable: URL
    var arguments: [String]
    var workingDirectory: URL?
    var timeout: Duration?
    var killGracePeriod: Duration
    var stderrTailLines: Int
    /// Keep stdout (up to `stdoutLimit` bytes) instead of handing it out line by line.
    var collectStdout = false
    var stdoutLimit = 16 << 20
    /// Called on a reader thread with each stdout line (without its newline).
    var onStdoutLine: (@Sendable (String) -> Void)?
    /// Called once the process is running, with its pid.
    var onStart: (@Sendable (Int32) -> Void)?
    /// Stops the process (`StopReason.outputTooLarge`) once the files under the directory take more than the bytes.
    var outputLimit: FFmpegInvocation.OutputLimit?

    /// Runs the process to its end. Throws only when it cannot be started.
    func run() async throws -> Outcome {
        try Task.checkCancellation()
        let stdoutPipe = try Spawner.makePipe()
        let stderrPipe: (read: Int32, write: Int32)
        do {
            stderrPipe = try Spawner.makePipe()
        } catch {
            close(stdoutPipe.read)
            close(stdoutPipe.write)
            throw error
        }
        let pid: pid_t
        do {
            pid = try Spawner.spawn(
                executable: executable.path, arguments: arguments, workingDirectory: workingDirectory?.path,
                stdout: stdoutPipe.write, stderr: stderrPipe.write)
        } catch {
            for descriptor in [stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write] { close(descriptor) }
            throw error
        }
        close(stdoutPipe.write)
        close(stderrPipe.write)

        let controller = Controller(grace: killGracePeriod)
        controller.started(pid: pid)
        onStart?(pid)

        let exitLatch = Latch()
        let status = Mutex<Int32>(0)
        Reaper.start(pid: pid) { rawStatus in
            status.withLock { $0 = rawStatus }
        } beforeReaping: {
            controller.markExited()
        } done: {
            exitLatch.open()
        }

        let stderrTail = LineTail(capacity: stderrTailLines)
        let collected = Mutex(CollectedOutput())
        let stdoutDone = Latch()
        let stderrDone = Latch()
        let collect = collectStdout
        let limit = stdoutLimit
        let lineHandler = onStdoutLine
        PipeReader.start(descriptor: stdoutPipe.read, done: stdoutDone) { chunk in
            if collect {
                collected.withLock { $0.append(chunk, limit: limit) }
            } else if let lineHandler {
                collected.withLock { $0.splitter.feed(chunk) }.forEach(lineHandler)
            }
        }
        PipeReader.start(descriptor: stderrPipe.read, done: stderrDone) { chunk in
            stderrTail.feed(chunk)
        }

        var timeoutItem: DispatchWorkItem?
        if let timeout {
            let item = DispatchWorkItem { controller.stop(.timedOut) }
            timeoutItem = item
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval, execute: item)
        }

        let watcher = outputLimit.map { limit in
            Task.detached {
                while !Task.isCancelled, !exitLatch.isOpen {
                    try? await Task.sleep(for: limit.checkInterval)
                    if Self.bytes(under: limit.directory) > limit.maximumBytes {
                        controller.stop(.outputTooLarge)
                        return
                    }
                }
            }
        }

        await withTaskCancellationHandler {
            await exitLatch.wait()
        } onCancel: {
            controller.stop(.cancelled)
        }
        timeoutItem?.cancel()
        watcher?.cancel()

        // The pipes reach end-of-file once the process group is gone; a grandchild that outlives it could
        // hold them open, so the wait is bounded.
        _ = await stdoutDone.wait(upTo: .seconds(5))
        _ = await stderrDone.wait(upTo: .seconds(2))

        if let last = collected.withLock({ $0.splitter.finish() }), !collect { lineHandler?(last) }
        let raw = status.withLock { $0 }
        let ending: Ending = (raw & 0x7f) == 0 ? .exited((raw >> 8) & 0xff) : .signalled(raw & 0x7f)
        let output = collected.withLock { $0 }
        return Outcome(
            ending: ending, stopReason: controller.stopReason, stdout: output.data,
            stderrTail: stderrTail.lines(), stdoutTruncated: output.truncated)
    }
}

extension ChildProcess {
    /// The bytes of the regular files under `directory`, at any depth (0 when it does not exist).
    static func bytes(under directory: URL) -> Int64 {
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else {
            return 0
        }
        var total: Int64 = 0
        for case let file as URL in files {
            guard let values = try? file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
            total += Int64(values.fileSize ?? 0)
        }
        return total
    }
}

/// Waits for a child on a thread of its own: first for its exit without reaping it (so no signal can
/// reach a recycled pid: `beforeReaping` marks it gone while the pid is still reserved), then reaps it.
enum Reaper {
    static func start(
        pid: pid_t, status: @escaping @Sendable (Int32) -> Void, beforeReaping: @escaping @Sendable () -> Void,
        done: @escaping @Sendable () -> Void
    ) {
        let thread = Thread {
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
            beforeReaping()
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            status(raw)
            done()
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }
}

/// Stdout kept by a run: the collected bytes or the line splitter's state.
private struct CollectedOutput: Sendable {
    var data = Data()
    var truncated = false
    var splitter = LineSplitter()

    mutating func append(_ chunk: Data, limit: Int) {
        let room = limit - data.count
        if chunk.count > room {
            data.append(chunk.prefix(max(0, room)))
            truncated = true
        } else {
            data.append(chunk)
        }
    }
}

/// Sends the stop signals: SIGTERM at once, SIGKILL after the grace period if the process still runs.
/// Never signals a pid after its process has exited (and been reaped).
private final class Controller: Sendable {
    private struct State {
        var pid: Int32?
        var exited = false
        var stopReason: StopReason?
        var pendingStop: StopReason?
    }
    typealias StopReason = ChildProcess.StopReason

    private let state = Mutex(State())
    private let grace: Duration

    init(grace: Duration) { self.grace = grace }

    var stopReason: StopReason? { state.withLock { $0.stopReason } }

    func started(pid: Int32) {
        let pending = state.withLock { state -> StopReason? in
            state.pid = pid
            return state.pendingStop
        }
        if let pending { stop(pending) }
    }

    func markExited() {
        state.withLock { $0.exited = true }
    }

    func stop(_ reason: StopReason) {
        let pid = state.withLock { state -> Int32? in
            guard state.stopReason == nil, !state.exited else { return nil }
            guard let pid = state.pid else {
                state.pendingStop = reason
                return nil
            }
            state.stopReason = reason
            kill(-pid, SIGTERM)
            return pid
        }
        guard let pid else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace.timeInterval) { [self] in
            state.withLock { state in
                if !state.exited { kill(-pid, SIGKILL) }
            }
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
