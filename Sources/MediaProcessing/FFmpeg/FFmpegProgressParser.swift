/// Turns FFmpeg's `-progress` output (blocks of `key=value` lines, each ended by
/// `progress=continue` or `progress=end`) into `FFmpegProgress` values.
///
/// The time is read from `out_time_us`, else `out_time_ms` (microseconds too, despite its name),
/// else `out_time` (`HH:MM:SS.micro`); `N/A` and negative values are ignored. The percentage is taken
/// against `expectedDuration` and never goes down; ETA comes from the speed, else from the wall clock.
public struct FFmpegProgressParser: Sendable {
    /// The duration the output is expected to reach, in seconds.
    public var expectedDuration: Double?
    private var fields: [String: String] = [:]
    private var lastPercent: Double = 0

    public init(expectedDuration: Double?) {
        self.expectedDuration = expectedDuration
    }

    /// Feeds one line; returns a report when the line ends a block.
    /// - Parameter elapsed: seconds since the run started, for an ETA when no speed is reported.
    public mutating func consume(line: String, elapsed: Double? = nil) -> FFmpegProgress? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let key = line[..<equals].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard key == "progress" else {
            fields[key] = value
            return nil
        }
        defer { fields = [:] }
        return makeProgress(isEnd: value == "end", elapsed: elapsed)
    }

    private mutating func makeProgress(isEnd: Bool, elapsed: Double?) -> FFmpegProgress {
        let outTime = Self.outTime(fields)
        let speed = fields["speed"].flatMap { Double($0.replacingOccurrences(of: "x", with: "").trimmingCharacters(in: .whitespaces)) }
            .flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        let frame = fields["frame"].flatMap { Int($0) }
        var percent: Double?
        var eta: Double?
        if isEnd {
            percent = 100
            eta = 0
        } else if let expectedDuration, expectedDuration > 0, let outTime {
            let raw = min(100, max(0, outTime / expectedDuration * 100))
            lastPercent = max(lastPercent, raw)
            percent = lastPercent
            let remaining = max(0, expectedDuration - outTime)
            if let speed {
                eta = remaining / speed
            } else if let elapsed, raw > 0 {
                eta = elapsed * (100 - raw) / raw
            }
        }
        if isEnd { lastPercent = 100 }
        return FFmpegProgress(outTime: outTime, speed: speed, frame: frame, percent: percent, estimatedTimeRemaining: eta, isEnd: isEnd)
    }

    static func outTime(_ fields: [String: String]) -> Double? {
        if let us = fields["out_time_us"].flatMap({ Int64($0) }), us >= 0 { return Double(us) / 1_000_000 }
        if let ms = fields["out_time_ms"].flatMap({ Int64($0) }), ms >= 0 { return Double(ms) / 1_000_000 }
        if let text = fields["out_time"] { return parseClock(text) }
        return nil
    }

    /// Parses `HH:MM:SS.ffffff` (also `-00:00:00.…`, refused as negative).
    static func parseClock(_ text: String) -> Double? {
        guard !text.hasPrefix("-") else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 3, let hours = Double(parts[0]), let minutes = Double(parts[1]), let seconds = Double(parts[2]) else {
            return nil
        }
        return hours * 3600 + minutes * 60 + seconds
    }
}
