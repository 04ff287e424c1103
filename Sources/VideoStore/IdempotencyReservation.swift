import Foundation

/// What ``VideoStore/reserveIdempotencyKey(owner:key:fingerprint:now:)`` found for an `Idempotency-Key`.
public enum IdempotencyReservation: Sendable, Equatable {
    /// The key is new (or its last use expired): this request runs, then completes or releases it.
    case reserved
    /// A request under the key with the same fingerprint is still running.
    case inProgress
    /// A request under the key with the same fingerprint finished with this status and response body.
    case completed(status: Int, response: String)
    /// The key was used for a different request (another fingerprint).
    case mismatch
}

/// How long idempotency keys are kept, and after how long an unfinished reservation (its producer died) is given up.
public enum IdempotencyKeys {
    /// A key answers its first result for 24 hours.
    public static let retention: TimeInterval = 24 * 3600
    /// A reservation without a result for this long is abandoned: the next request under the key runs.
    public static let abandonAfter: TimeInterval = 3600
}
