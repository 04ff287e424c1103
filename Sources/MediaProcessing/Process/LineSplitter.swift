import Foundation

/// Splits a byte stream into lines (`\n`, `\r\n` or a lone `\r`, as FFmpeg writes progress with `\r`).
struct LineSplitter: Sendable {
    private var pending = Data()
    /// A line longer than this is cut, so a stream without newlines cannot grow memory without bound.
    var maximumLineLength = 64 * 1024

    /// Adds bytes and returns the lines they complete.
    mutating func feed(_ chunk: Data) -> [String] {
        var lines: [String] = []
        for byte in chunk {
            if byte == 0x0A || byte == 0x0D {
                if !pending.isEmpty || byte == 0x0A {
                    lines.append(String(decoding: pending, as: UTF8.self))
                }
                pending.removeAll(keepingCapacity: true)
            } else {
                if pending.count >= maximumLineLength {
                    lines.append(String(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                }
                pending.append(byte)
            }
        }
        return lines
    }

    /// The unterminated last line, if any.
    mutating func finish() -> String? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
    }
}
