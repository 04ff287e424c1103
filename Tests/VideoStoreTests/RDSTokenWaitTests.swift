import Foundation
import Synchronization
import TestSupport
import Testing

@testable import VideoStore

/// A PostgreSQL store whose password is an RDS IAM token that cannot be made yet (instance credentials not available,
/// the metadata service not answering): queries fail at once with a retryable error instead of hanging, cancellation
/// and `close()` end the wait, and queries work as soon as a token is made.
@Suite("PostgreSQL: waiting for the RDS IAM token")
struct RDSTokenWaitTests {
    struct NoCredentials: Error, CustomStringConvertible {
        var description: String { "no AWS credentials in the chain" }
    }

    /// A token maker that never answers and ignores cancellation (as a provider stuck on an unanswered socket may);
    /// ``release()`` ends its calls at the end of a test.
    final class HungTokenMaker: Sendable {
        private let calls = Mutex<[CheckedContinuation<String, Never>]>([])

        func make() async -> String {
            await withCheckedContinuation { continuation in calls.withLock { $0.append(continuation) } }
        }

        var callCount: Int { calls.withLock { $0.count } }

        func release() {
            for call in calls.withLock({ calls in
                defer { calls = [] }
                return calls
            }) { call.resume(returning: "late") }
        }
    }

    /// An IAM configuration of a server that is never reached (the tests that use it make no token).
    static let unreachable = DatabaseConfiguration.Postgres(
        host: "127.0.0.1", port: 1, username: "u", password: nil, database: "db",
        tls: .disable, iamAuthentication: true, region: "us-east-1")

    static func isWaitingForToken(_ error: any Error, reason: String) -> Bool {
        guard let error = error as? VideoStoreError else { return false }
        return error.code == .unavailable && error.message == "waiting for the RDS IAM token: \(reason)"
    }

    @Test("while the token cannot be made a query fails at once with 'waiting for the RDS IAM token: <reason>'; once it can, queries work")
    func queriesFailFastUntilATokenIsMade() async throws {
        try await TestDatabase.with(.postgres) { database, _ in
            let configuration = try #require(database.postgres)
            let password = configuration.password ?? ""
            let credentialsReady = Mutex(false)
            let attempts = Mutex(0)
            let store = PostgresVideoStore(
                configuration: configuration, maximumConnections: 2, logger: TestDatabase.logger,
                password: {
                    attempts.withLock { $0 += 1 }
                    guard credentialsReady.withLock({ $0 }) else { throw NoCredentials() }
                    return password
                }, timing: PostgresBackend.Timing(passwordRetryBase: .milliseconds(50), passwordRetryCap: .milliseconds(200)))
            try await store.running { () async throws in
                for _ in 0..<3 {
                    let start = ContinuousClock.now
                    await #expect { try await store.appliedMigrations() } throws: {
                        Self.isWaitingForToken($0, reason: NoCredentials().description)
                    }
                    #expect(ContinuousClock.now - start < .seconds(5), "the query waited")
                }
                let retried = try await eventually(timeout: .seconds(10), every: .milliseconds(20)) { attempts.withLock { $0 } >= 3 }
                #expect(retried, "the token is tried again")

                credentialsReady.withLock { $0 = true }
                let works = try await eventually(timeout: .seconds(10), every: .milliseconds(50)) {
                    (try? await store.appliedMigrations()) == Migrations.all.map(\.version)
                }
                #expect(works, "queries work once a token is made")
            }
        }
    }

    @Test("a token maker that never answers: a query fails after the token's time limit, not later")
    func aHungTokenMakerIsAbandonedAtItsLimit() async throws {
        let maker = HungTokenMaker()
        defer { maker.release() }
        let store = PostgresVideoStore(
            configuration: Self.unreachable, maximumConnections: 1, logger: TestDatabase.logger,
            password: { await maker.make() }, timing: PostgresBackend.Timing(passwordTimeout: .milliseconds(300)))
        try await store.running { () async throws in
            let start = ContinuousClock.now
            await #expect { try await store.statusCounts() } throws: {
                Self.isWaitingForToken($0, reason: PostgresBackend.AbandonedCall(limit: .milliseconds(300)).description)
            }
            #expect(ContinuousClock.now - start < .seconds(30), "the token maker never answers: not waited for")
        }
    }

    @Test("a query waiting for the first token ends at once when cancelled, and close() ends the others and returns promptly")
    func cancellationAndCloseEndTheWait() async throws {
        let maker = HungTokenMaker()
        defer { maker.release() }
        let store = PostgresVideoStore(
            configuration: Self.unreachable, maximumConnections: 1, logger: TestDatabase.logger,
            password: { await maker.make() }, timing: PostgresBackend.Timing(passwordTimeout: .seconds(600)))
        async let running: Void = store.run()
        let cancelled = Task { try await store.statusCounts() }
        let waiting = Task { try await store.statusCounts() }
        // The token maker has been called: the queries wait for it (or are about to).
        #expect(try await eventually(timeout: .seconds(10), every: .milliseconds(10)) { maker.callCount == 1 })

        let start = ContinuousClock.now
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(ContinuousClock.now - start < .seconds(10), "the token maker never answers")

        try await store.close()
        await running
        #expect(ContinuousClock.now - start < .seconds(10), "close() (and the store's run ending) waited for the token maker")
        await #expect { try await waiting.value } throws: { ($0 as? VideoStoreError)?.code == .closed }
        await #expect { try await store.statusCounts() } throws: { ($0 as? VideoStoreError)?.code == .closed }
    }

    @Test(
        "PostgreSQL unreachable: a query fails with 'unavailable' within the connection limit instead of waiting for the pool's circuit breaker, and works once it answers"
    )
    func anUnreachableDatabaseFailsQueriesWithinTheLeaseLimit() async throws {
        let server = try TestDatabase.serverConfiguration()
        let proxy = try await TCPProxy.start(upstreamHost: server.host, upstreamPort: server.port, relaying: false)
        try await withTearDown {
            try? await proxy.shutdown()
        } body: {
            var configuration = server
            configuration.host = "127.0.0.1"
            configuration.port = proxy.port
            let store = PostgresVideoStore(
                configuration: configuration, maximumConnections: 2, logger: TestDatabase.logger, password: nil,
                timing: PostgresBackend.Timing(leaseTimeout: .seconds(1)))
            try await store.running { () async throws in
                let start = ContinuousClock.now
                await #expect { try await store.appliedMigrations() } throws: { error in
                    guard let error = error as? VideoStoreError else { return false }
                    return error.code == .unavailable && error.message.hasPrefix("PostgreSQL at 127.0.0.1:\(proxy.port): no connection")
                }
                #expect(ContinuousClock.now - start < .seconds(20), "the lease limit, not the pool's one-minute circuit breaker")
                #expect(proxy.connectionCount >= 1)

                proxy.setRelaying(true)
                let works = try await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
                    (try? await store.execute("SELECT 1")) != nil
                }
                #expect(works)
            }
        }
    }
}

extension PostgresVideoStore {
    /// Runs one statement on the store's backend.
    func execute(_ sql: String) async throws {
        _ = try await store.backend.query(sql, [])
    }
}
