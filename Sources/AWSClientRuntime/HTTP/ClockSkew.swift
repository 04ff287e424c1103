import Foundation
import Synchronization

/// The correction applied to the signing clock when AWS says it is off (`RequestTimeTooSkewed`).
final class ClockSkew: Sendable {
    private let correction: Mutex<Duration> = Mutex(.zero)

    /// Error codes that mean "your clock is wrong".
    static let skewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException", "SignatureDoesNotMatch",
        "AuthFailure",
    ]

    /// The current correction.
    var offset: Duration { correction.withLock { $0 } }

    /// The corrected time to sign with.
    func now() -> Date {
        let (seconds, attoseconds) = offset.components
        return Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Adjusts the correction from the server's `Date` when `code` says the clock is off and the server's
    /// time differs from ours by more than 4 minutes. Returns whether it changed.
    func correct(from response: AWSResponse, code: String) -> Bool {
        guard Self.skewCodes.contains(code), let text = response.headers.first(name: "Date"),
            let serverDate = HTTPDate.parse(text)
        else { return false }
        let difference = serverDate.timeIntervalSince(Date())
        guard abs(difference - offsetSeconds) > 240 else { return false }
        correction.withLock { $0 = .milliseconds(Int64(difference * 1000)) }
        return true
    }

    private var offsetSeconds: Double {
        let (seconds, attoseconds) = offset.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
