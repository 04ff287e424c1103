import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The connection pool VideoQueue's AWS code shares by default.
    ///
    /// - Redirects are not followed: a signed request, or a metadata token, must not be sent on to another host.
    /// - A failed connection is reported at once instead of being retried inside the pool until the deadline:
    ///   the callers retry with backoff and a quota (the S3/SQS clients) or move on (the credential chain).
    /// - Connections time out after 5 seconds.
    public static let aws: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

extension TimeAmount {
    /// `duration` as a `TimeAmount`; negative durations become zero, too-large ones the maximum.
    public init(clamping duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else {
            self = .zero
            return
        }
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = nanoseconds.overflow ? .nanoseconds(.max) : .nanoseconds(nanoseconds.partialValue + attoseconds / 1_000_000_000)
    }
}
