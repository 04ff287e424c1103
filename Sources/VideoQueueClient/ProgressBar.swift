import Foundation

/// One line of progress, without I/O: `label [######------] 45 % 12.3 MB/s ETA 0:07`.
public struct ProgressBar: Sendable, Equatable {
    /// The bar's cells.
    public var width: Int

    public init(width: Int = 24) {
        self.width = width
    }

    /// The line for `done` of `total` bytes (or percent, with `unit: nil`) after `elapsed` seconds.
    public func line(label: String, done: Double, total: Double?, elapsed: Double, bytes: Bool = true) -> String {
        var parts = [label]
        if let total, total > 0 {
            let fraction = min(1, max(0, done / total))
            let filled = Int((fraction * Double(width)).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]")
            parts.append(String(format: "%5.1f %%", fraction * 100))
            if bytes { parts.append("\(Self.bytes(done)) of \(Self.bytes(total))") }
            let rate = elapsed > 0 ? done / elapsed : 0
            if bytes, rate > 0 { parts.append("\(Self.bytes(rate))/s") }
            if rate > 0, fraction < 1 { parts.append("ETA " + Self.clock((total - done) / rate)) }
        } else if bytes {
            parts.append(Self.bytes(done))
        }
        return parts.joined(separator: " ")
    }

    /// `1.5 MB`, `830 kB`, `12 B` (SI units).
    public static func bytes(_ value: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var scaled = max(0, value)
        var unit = 0
        while scaled >= 1000, unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        return unit == 0 ? "\(Int(scaled)) B" : String(format: "%.1f %@", scaled, units[unit])
    }

    /// `0:07`, `12:34`, `1:02:03`.
    public static func clock(_ seconds: Double) -> String {
        let total = Int(min(max(0, seconds), 359_999).rounded())
        let (hours, rest) = total.quotientAndRemainder(dividingBy: 3600)
        let (minutes, secs) = rest.quotientAndRemainder(dividingBy: 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}
