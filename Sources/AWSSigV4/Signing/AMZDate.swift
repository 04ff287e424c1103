import Foundation
import Synchronization

/// The two date forms SigV4 uses: `20150830T123600Z` (`X-Amz-Date`) and `20150830` (the credential scope).
///
/// Formatted by arithmetic on the epoch (no `DateFormatter`, no locale, no allocation beyond the strings),
/// always in UTC.
public struct AMZDate: Sendable, Hashable {
    /// `yyyyMMdd'T'HHmmss'Z'`.
    public let timestamp: String
    /// `yyyyMMdd`, the first eight characters of ``timestamp``.
    public let day: String

    /// Formats `date` (fractions of a second are dropped).
    public init(_ date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        // Requests signed within the same second share the strings.
        if let recent = Self.recent.withLock({ $0?.seconds == seconds ? $0?.date : nil }) {
            self = recent
            return
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        // Digits written into the strings' own storage: `day` (8 bytes) is a small string, `timestamp` one allocation.
        self.day = String(unsafeUninitializedCapacity: 8) { text in
            Self.writeDigits(year, width: 4, to: text, at: 0)
            Self.writeDigits(month, width: 2, to: text, at: 4)
            Self.writeDigits(day, width: 2, to: text, at: 6)
            return 8
        }
        self.timestamp = String(unsafeUninitializedCapacity: 16) { text in
            Self.writeDigits(year, width: 4, to: text, at: 0)
            Self.writeDigits(month, width: 2, to: text, at: 4)
            Self.writeDigits(day, width: 2, to: text, at: 6)
            text[8] = UInt8(ascii: "T")
            Self.writeDigits(secondOfDay / 3600, width: 2, to: text, at: 9)
            Self.writeDigits(secondOfDay / 60 % 60, width: 2, to: text, at: 11)
            Self.writeDigits(secondOfDay % 60, width: 2, to: text, at: 13)
            text[15] = UInt8(ascii: "Z")
            return 16
        }
        Self.recent.withLock { $0 = (seconds, self) }
    }

    /// The date formatted last, and its second.
    private static let recent = Mutex<(seconds: Int64, date: AMZDate)?>(nil)

    /// Parses `yyyyMMdd'T'HHmmss'Z'` or ISO 8601 `yyyy-MM-dd'T'HH:mm:ss'Z'` (fractional seconds allowed).
    /// Returns `nil` for anything else.
    public static func parse(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= digits.count else { return nil }
            var value = 0
            for byte in digits[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let fields: (Int?, Int?, Int?, Int?, Int?, Int?)
        var end: Int
        if digits.count >= 16, digits[8] == UInt8(ascii: "T") {
            fields = (number(0..<4), number(4..<6), number(6..<8), number(9..<11), number(11..<13), number(13..<15))
            end = 15
        } else if digits.count >= 20, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-"),
            digits[10] == UInt8(ascii: "T"), digits[13] == UInt8(ascii: ":"), digits[16] == UInt8(ascii: ":")
        {
            fields = (number(0..<4), number(5..<7), number(8..<10), number(11..<13), number(14..<16), number(17..<19))
            end = 19
            if end < digits.count, digits[end] == UInt8(ascii: ".") {
                end += 1
                while end < digits.count, digits[end] >= UInt8(ascii: "0"), digits[end] <= UInt8(ascii: "9") { end += 1 }
            }
        } else {
            return nil
        }
        guard end == digits.count - 1, digits[end] == UInt8(ascii: "Z"),
            let year = fields.0, let month = fields.1, let day = fields.2,
            let hour = fields.3, let minute = fields.4, let second = fields.5,
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        guard civil(fromDays: days) == (year, month, day) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + Int64(hour * 3600 + minute * 60 + second)))
    }

    /// Writes the last `width` decimal digits of `value` (zero-padded) at `start`.
    private static func writeDigits(_ value: Int, width: Int, to text: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var remaining = value
        for position in stride(from: start + width - 1, through: start, by: -1) {
            text[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
    }

    /// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
    private static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Howard Hinnant's `days_from_civil`.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
