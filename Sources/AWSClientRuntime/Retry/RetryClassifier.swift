import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

/// Decides which failures are worth another attempt, as the AWS SDKs' standard mode does.
public enum RetryClassifier {
    /// What kind of failure an attempt ended with.
    public enum Failure: Sendable, Equatable {
        /// Not retryable: the request itself is wrong, or the answer is final.
        case permanent
        /// A server error (5xx) or a transient error code.
        case transient
        /// The service asks to slow down.
        case throttling
        /// A timeout or a connection that failed or dropped: retried, at a higher quota cost.
        case timeoutOrConnection
    }

    /// Error codes AWS services return when throttling.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Error codes that describe a transient condition.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "ServiceUnavailableException", "KMS.ThrottlingException", "IDPCommunicationError",
    ]

    /// Classifies an HTTP answer with its (unprefixed) error code.
    public static func classify(status: Int, code: String?) -> Failure {
        if status == 429 { return .throttling }
        if let code, throttlingCodes.contains(code) { return .throttling }
        if let code, transientCodes.contains(code) { return .transient }
        if [500, 502, 503, 504].contains(status) { return .transient }
        return .permanent
    }

    /// Classifies an error thrown while sending (no HTTP answer).
    public static func classify(transportError error: any Error) -> Failure {
        if error is CancellationError { return .permanent }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled, .invalidURL, .emptyHost, .emptyScheme, .bodyLengthMismatch,
                .alreadyShutdown, .redirectLimitReached, .redirectCycleDetected:
                return .permanent
            default:
                return .timeoutOrConnection
            }
        }
        // A connection that failed, dropped (an HTTP parser error at EOF mid-body) or timed out.
        if error is IOError || error is ChannelError || error is NIOConnectionError || error is HTTPParserError {
            return .timeoutOrConnection
        }
        return .permanent
    }
}
