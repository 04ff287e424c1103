import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one executable with an argument array (no shell), streams its stdout and stderr line by line,
/// and makes sure it is gone when `run` returns: task cancellation and the timeout send SIGTERM, then
/// SIGKILL after a grace period, and `run` waits for the exit (the process is reaped) in every case.
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

    /// Runs the process to its end. Throws only when it cannot be started.
    func run() async throws -> Outcome {
        try Task.checkCancellation()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardInput = FileHandle.nullDevice
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe

        let exitLatch = Latch()
        let controller = Controller(grace: killGracePeriod)
        process.terminationHandler = { _ in
            controller.markExited()
            exitLatch.open()
        }

        let stderrTail = LineTail(capacity: stderrTailLines)
        let collected = Mutex(CollectedOutput())
        let stdoutDone = Latch()
        let stderrDone = Latch()
        let collect = collectStdout
        let limit = stdoutLimit
        let lineHandler = onStdoutLine

        try process.run()
        let pid = process.processIdentifier
        controller.started(pid: pid)
        onStart?(pid)

        PipeReader.start(handle: stdoutPipe.fileHandleForReading, done: stdoutDone) { chunk in
            if collect {
                collected.withLock { $0.append(chunk, limit: limit) }
            } else if let lineHandler {
                collected.withLock { $0.splitter.feed(chunk) }.forEach(lineHandler)
            }
        }
        PipeReader.start(handle: stderrPipe.fileHandleForReading, done: stderrDone) { chunk in
            stderrTail.feed(chunk)
        }

        var timeoutItem: DispatchWorkItem?
        if let timeout {
            let item = DispatchWorkItem { controller.stop(.timedOut) }
            timeoutItem = item
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval, execute: item)
        }

        await withTaskCancellationHandler {
            await exitLatch.wait()
        } onCancel: {
            controller.stop(.cancelled)
        }
        timeoutItem?.cancel()

        // The pipes reach end-of-file once the process is gone; a descriptor leaked into a process
        // spawned concurrently could hold them open, so the wait is bounded.
        _ = await stdoutDone.wait(upTo: .seconds(5))
        _ = await stderrDone.wait(upTo: .seconds(2))

        if let last = collected.withLock({ $0.splitter.finish() }), !collect { lineHandler?(last) }
        let ending: Ending =
            process.terminationReason == .uncaughtSignal
            ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
        let output = collected.withLock { $0 }
        return Outcome(
            ending: ending, stopReason: controller.stopReason, stdout: output.data,
            stderrTail: stderrTail.lines(), stdoutTruncated: output.truncated)
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
            kill(pid, SIGTERM)
            return pid
        }
        guard let pid else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace.timeInterval) { [self] in
            state.withLock { state in
                if !state.exited { kill(pid, SIGKILL) }
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
