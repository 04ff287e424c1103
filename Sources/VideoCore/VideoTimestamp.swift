import Foundation

/// The one timestamp precision of VideoQueue: whole milliseconds since the Unix epoch.
///
/// Records, queue messages and both stores keep times to the millisecond, so a record written and read back
/// (or sent and received) compares equal. Every `Date` of a ``VideoRecord`` passes through ``normalized(_:)``.
public enum VideoTimestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z, rounded to the nearest.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The date `milliseconds` after the Unix epoch.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `date` rounded to the millisecond (idempotent).
    public static func normalized(_ date: Date) -> Date {
        self.date(milliseconds: milliseconds(date))
    }

    /// The current time, to the millisecond.
    public static func now() -> Date { normalized(Date()) }

    /// ISO 8601 in UTC with three fractional digits: `2025-01-31T12:00:00.123Z`.
    public static func iso8601String(_ date: Date) -> String {
        let ms = milliseconds(date)
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let fraction = ms - seconds * 1000
        let base = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        let digits = String(fraction)
        let padded = String(repeating: "0", count: 3 - digits.count) + digits
        guard base.hasSuffix("Z") else { return base }
        return base.dropLast() + "." + padded + "Z"
    }

    /// The encoder of VideoQueue's JSON documents (API answers, queue messages, webhook events): dates as
    /// ``iso8601String(_:)``, keys sorted; add other formatting to `formatting`.
    public static func jsonEncoder(formatting: JSONEncoder.OutputFormatting = []) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting.union(.sortedKeys)
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(iso8601String(date))
        }
        return encoder
    }

    /// A JSON decoder for VideoQueue's documents (queue messages, API answers): dates as ``parseISO8601(_:)`` reads them.
    public static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseISO8601(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date-time")
            }
            return date
        }
        return decoder
    }

    /// Parses ISO 8601 date-times with or without fractional seconds and with `Z` or a `±hh:mm` offset.
    /// Fractions finer than a millisecond are rounded.
    public static func parseISO8601(_ text: String) -> Date? {
        guard text.count <= 64, let tIndex = text.firstIndex(where: { $0 == "T" || $0 == "t" }) else { return nil }
        var rest = String(text)
        var fraction = 0.0
        if let dot = text[tIndex...].firstIndex(of: ".") {
            let digitsStart = text.index(after: dot)
            let digitsEnd = text[digitsStart...].firstIndex(where: { !$0.isASCII || !$0.isNumber }) ?? text.endIndex
            let digits = text[digitsStart..<digitsEnd]
            guard !digits.isEmpty, let value = Double("0." + digits) else { return nil }
            fraction = value
            rest = String(text[..<dot] + text[digitsEnd...])
        }
        guard let base = try? Date.ISO8601FormatStyle().parse(rest) else { return nil }
        return date(milliseconds: milliseconds(base) + Int64((fraction * 1000).rounded()))
    }
}
