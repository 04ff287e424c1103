import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Shows a ``ProgressBar`` on standard error: redrawn in place (at most ten times a second) on a terminal, as a plain
/// line at every tenth of the way otherwise (logs, CI), so it never floods a file.
public final class ProgressPrinter: Sendable {
    let label: String
    let total: Double?
    let bytes: Bool
    let terminal: Bool
    let bar: ProgressBar
    private let state = Mutex<(start: ContinuousClock.Instant, lastDraw: ContinuousClock.Instant?, lastStep: Int)>((.now, nil, -1))
    let write: @Sendable (String) -> Void

    /// - Parameter terminal: draw in place (`nil`: whether standard error is a terminal).
    public init(
        label: String, total: Double?, bytes: Bool = true, terminal: Bool? = nil,
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.label = label
        self.total = total
        self.bytes = bytes
        self.terminal = terminal ?? (isatty(2) == 1)
        self.bar = ProgressBar(width: 24)
        self.write = write
    }

    /// Reports `done` (bytes or percent).
    public func update(_ done: Double, final: Bool = false) {
        let now = ContinuousClock.now
        let (draw, elapsed) = state.withLock { state -> (Bool, Double) in
            let elapsed = (now - state.start).seconds
            if terminal {
                if !final, let last = state.lastDraw, now - last < .milliseconds(100) { return (false, elapsed) }
                state.lastDraw = now
                return (true, elapsed)
            }
            let step = total.map { $0 > 0 ? Int(min(1, done / $0) * 10) : 10 } ?? 0
            guard final || step > state.lastStep else { return (false, elapsed) }
            state.lastStep = step
            return (true, elapsed)
        }
        guard draw else { return }
        let line = bar.line(label: label, done: done, total: total, elapsed: elapsed, bytes: bytes)
        write(terminal ? "\r\u{1B}[2K" + line + (final ? "\n" : "") : line + "\n")
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
