import Foundation
import Logging

/// Caches the temporary credentials a fetch closure produces and refreshes them ahead of expiry.
///
/// This is the one place that implements the refresh policy shared by the network providers
/// (``ContainerCredentialProvider``, ``IMDSCredentialProvider``):
///
/// - **Refresh ahead**: cached credentials are returned until they are within `refreshMargin`
///   of their expiration; the next call then fetches new ones. Credentials without an expiration
///   are cached forever.
/// - **Single flight**: however many tasks call ``credentials()`` while a refresh is needed,
///   the fetch closure runs once; every caller waits for, and gets, that one result.
/// - **Static stability**: if a refresh fails while the cached credentials have not yet expired,
///   they are returned (and a warning is logged), as the AWS SDKs do. After such a failure, no new
///   attempt is made for `retryInterval` seconds as long as the cached credentials stay valid, so a
///   failing endpoint is not hammered by every request.
public actor RefreshingCredentialProvider: CredentialProvider {
    /// The name of the wrapped source, used in logs and errors.
    public nonisolated let name: String

    private let refreshMargin: TimeInterval
    private let retryInterval: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let fetch: @Sendable () async throws -> Credentials

    private var cached: Credentials?
    private var inFlight: Task<Credentials, any Error>?
    /// No refresh is attempted before this moment while ``cached`` is still valid.
    private var nextAttemptNotBefore: Date?

    /// Creates a caching provider around `fetch`.
    ///
    /// - Parameters:
    ///   - name: The name used in logs and errors, e.g. `"imds"`.
    ///   - refreshMargin: How long before their expiration cached credentials are refreshed.
    ///   - retryInterval: After a failed refresh, or one that returned credentials already inside
    ///     the margin, how long to keep serving the still-valid cached credentials before trying again.
    ///   - now: The clock; inject one in tests to control expiry.
    ///   - logger: Where refresh failures are reported (never with secrets).
    ///   - fetch: Fetches fresh credentials. Called at most once at a time.
    public init(
        name: String,
        refreshMargin: TimeInterval = 300,
        retryInterval: TimeInterval = 10,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "videoqueue.credentials"),
        fetch: @escaping @Sendable () async throws -> Credentials
    ) {
        self.name = name
        self.refreshMargin = max(0, refreshMargin)
        self.retryInterval = max(0, retryInterval)
        self.now = now
        self.logger = logger
        self.fetch = fetch
    }

    /// Returns the cached credentials, or fetches new ones when there are none or they are due for refresh.
    public func credentials() async throws -> Credentials {
        let date = now()
        if let cached {
            if !cached.isExpired(at: date, within: refreshMargin) {
                return cached
            }
            if let notBefore = nextAttemptNotBefore, date < notBefore, !cached.isExpired(at: date) {
                return cached
            }
        }

        let task: Task<Credentials, any Error>
        if let inFlight {
            task = inFlight
        } else {
            let fetch = self.fetch
            task = Task { try await fetch() }
            inFlight = task
        }

        let result = await task.result
        // Every waiter runs this; the first one to get here clears the slot, so the next refresh
        // starts a new task instead of reusing this finished one.
        if inFlight == task {
            inFlight = nil
        }
        return try settle(result)
    }

    /// Turns the outcome of a fetch into the answer for one caller, updating the cache.
    private func settle(_ result: Result<Credentials, any Error>) throws -> Credentials {
        let current = now()
        switch result {
        case .success(let fresh):
            if fresh.isExpired(at: current) {
                return try fallBack(
                    to: CredentialsError(
                        code: .expired,
                        message: "\(name) returned credentials that have already expired",
                        provider: name
                    ),
                    at: current
                )
            }
            if cached != fresh {
                cached = fresh
            }
            nextAttemptNotBefore =
                fresh.isExpired(at: current, within: refreshMargin)
                ? current.addingTimeInterval(retryInterval) : nil
            return fresh
        case .failure(let error):
            return try fallBack(to: error, at: current)
        }
    }

    /// Returns the still-valid cached credentials after a failed refresh, or rethrows `error`.
    private func fallBack(to error: any Error, at date: Date) throws -> Credentials {
        guard let cached, !cached.isExpired(at: date) else {
            throw error
        }
        if nextAttemptNotBefore.map({ date >= $0 }) ?? true {
            nextAttemptNotBefore = date.addingTimeInterval(retryInterval)
            logger.warning(
                "Refreshing credentials failed; using cached credentials until they expire",
                metadata: [
                    "provider": "\(name)",
                    "error": "\(Self.describe(error))",
                    "expiration": "\(cached.expiration.map { "\($0)" } ?? "none")",
                ]
            )
        }
        return cached
    }

    /// A log-safe description: ``CredentialsError`` messages never hold secrets; other errors are named by type.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? CredentialsError { return error.description }
        return String(describing: type(of: error))
    }
}
