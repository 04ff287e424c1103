import Foundation
import Synchronization
import Testing

@testable import AWSSigV4

@Suite("RefreshingCredentialProvider")
struct RefreshingCredentialProviderTests {
    /// A fetch closure returning queued outcomes and counting calls.
    final class Source: Sendable {
        private let state = Mutex<(calls: Int, outcomes: [Result<Credentials, CredentialsError>])>((0, []))

        func enqueue(_ outcome: Result<Credentials, CredentialsError>) {
            state.withLock { $0.outcomes.append(outcome) }
        }

        var calls: Int { state.withLock { $0.calls } }

        func fetch() throws -> Credentials {
            let outcome = state.withLock { state -> Result<Credentials, CredentialsError> in
                state.calls += 1
                return state.outcomes.isEmpty
                    ? .failure(CredentialsError(code: .providerUnavailable, message: "nothing queued", provider: "test"))
                    : state.outcomes.removeFirst()
            }
            return try outcome.get()
        }
    }

    static func credentials(_ keyID: String, expiringIn interval: TimeInterval?) -> Credentials {
        Credentials(
            accessKeyID: keyID,
            secretAccessKey: "secret",
            sessionToken: "token",
            expiration: interval.map { TestClock.start.addingTimeInterval($0) }
        )
    }

    static let failure = CredentialsError(code: .providerUnavailable, message: "endpoint down", provider: "test")

    @Test func credentialsWithoutExpirationAreCachedForever() async throws {
        let clock = TestClock()
        let source = Source()
        source.enqueue(.success(Self.credentials("A", expiringIn: nil)))
        let provider = RefreshingCredentialProvider(name: "test", now: clock.source) { try source.fetch() }
        _ = try await provider.credentials()
        clock.advance(by: 365 * 86_400)
        #expect(try await provider.credentials().accessKeyID == "A")
        #expect(source.calls == 1)
    }

    @Test func failedFirstFetchThrowsAndTheNextCallRetries() async throws {
        let source = Source()
        source.enqueue(.failure(Self.failure))
        source.enqueue(.success(Self.credentials("A", expiringIn: 3600)))
        let provider = RefreshingCredentialProvider(name: "test", now: TestClock().source) { try source.fetch() }
        let error = await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        #expect(error == Self.failure)
        #expect(try await provider.credentials().accessKeyID == "A")
        #expect(source.calls == 2)
    }

    @Test func afterAFailedRefreshTheNextAttemptWaitsForTheRetryInterval() async throws {
        let clock = TestClock()
        let source = Source()
        source.enqueue(.success(Self.credentials("A", expiringIn: 3600)))
        source.enqueue(.failure(Self.failure))
        source.enqueue(.success(Self.credentials("B", expiringIn: 7200)))
        let provider = RefreshingCredentialProvider(
            name: "test", refreshMargin: 300, retryInterval: 10, now: clock.source
        ) { try source.fetch() }

        _ = try await provider.credentials()
        clock.advance(by: 3400)
        #expect(try await provider.credentials().accessKeyID == "A")  // refresh failed, cached kept
        #expect(source.calls == 2)
        clock.advance(by: 5)
        #expect(try await provider.credentials().accessKeyID == "A")  // within the retry interval: no attempt
        #expect(source.calls == 2)
        clock.advance(by: 5)
        #expect(try await provider.credentials().accessKeyID == "B")
        #expect(source.calls == 3)
    }

    @Test func alreadyExpiredFreshCredentialsAreAnError() async throws {
        let source = Source()
        source.enqueue(.success(Self.credentials("OLD", expiringIn: -1)))
        let provider = RefreshingCredentialProvider(name: "test", now: TestClock().source) { try source.fetch() }
        let error = await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        #expect(error?.code == .expired)
    }
}
