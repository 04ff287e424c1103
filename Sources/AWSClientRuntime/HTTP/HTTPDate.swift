import Foundation

/// The date formats AWS answers with: HTTP dates in headers (`Date`, `Last-Modified`) and ISO 8601 timestamps
/// in bodies (S3's `LastModified`, `Initiated`).
public enum HTTPDate {
    /// RFC 7231 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let withoutFraction = Date.ISO8601FormatStyle()

    /// An ISO 8601 timestamp with or without fractional seconds, e.g. `2026-11-24T20:57:40.000Z`.
    /// (The format styles are values made once, not a formatter per call: a listing parses one per object.)
    public static func parseISO8601(_ text: String) -> Date? {
        (try? withFraction.parse(text)) ?? (try? withoutFraction.parse(text))
    }
}
