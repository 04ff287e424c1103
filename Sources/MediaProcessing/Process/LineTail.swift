import Foundation
import Synchronization

/// Keeps the last non-empty lines of a byte stream (FFmpeg's stderr), thread-safe.
final class LineTail: Sendable {
    private struct State {
        var splitter = LineSplitter()
        var lines: [String] = []
    }
    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func feed(_ chunk: Data) {
        state.withLock { state in
            for line in state.splitter.feed(chunk) { append(line, to: &state.lines) }
        }
    }

    /// The kept lines, oldest first, the unterminated last line included.
    func lines() -> [String] {
        state.withLock { state in
            var lines = state.lines
            var splitter = state.splitter
            if let last = splitter.finish() { append(last, to: &lines) }
            return lines
        }
    }

    private func append(_ line: String, to lines: inout [String]) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return }
        lines.append(String(trimmed.prefix(1000)))
        if lines.count > capacity { lines.removeFirst(lines.count - capacity) }
    }
}
