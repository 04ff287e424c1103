import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

@testable import AWSSigV4

/// A fake EC2 instance metadata service speaking IMDSv2 only: every `GET` needs a token it issued
/// with `PUT /latest/api/token` (else `401`), tokens can be revoked, and the credentials document
/// is whatever the test sets.
final class FakeIMDS: Sendable {
    static let role = "test-instance-role"
    static let rolePath = "/latest/meta-data/iam/security-credentials/"
    static let credentialsPath = rolePath + role
    static let tokenPath = "/latest/api/token"

    enum CredentialsReply: Sendable {
        case success(accessKeyID: String, secret: String, token: String, expiration: Date)
        case code(String)
        case body(String)
        case status(HTTPResponseStatus)
    }

    struct State: Sendable {
        var issuedTokens: Set<String> = []
        var tokenCounter = 0
        var requestedTTLs: [String] = []
        var unauthorizedCount = 0
        var credentials: CredentialsReply
    }

    /// The service's state, shared with the request handler.
    final class Backend: Sendable {
        let state: Mutex<State>

        init(credentials: CredentialsReply) {
            state = Mutex(State(credentials: credentials))
        }
    }

    let backend: Backend
    let server: FakeHTTPServer

    /// A copy of the current state.
    func snapshot() -> State {
        backend.state.withLock { $0 }
    }

    private init(backend: Backend, server: FakeHTTPServer) {
        self.backend = backend
        self.server = server
    }

    /// Starts the fake, serving `credentials`.
    static func start(credentials: CredentialsReply) async throws -> FakeIMDS {
        let backend = Backend(credentials: credentials)
        let server = try await FakeHTTPServer.start { request in FakeIMDS.handle(request, backend: backend) }
        return FakeIMDS(backend: backend, server: server)
    }

    /// The standard document: `secret` and `token` are the ones tests look for in error messages.
    static func success(_ accessKeyID: String = "ASIAIMDS", expiration: Date) -> CredentialsReply {
        .success(accessKeyID: accessKeyID, secret: "imds-secret-SHOULD-NOT-LEAK", token: "imds-token-SHOULD-NOT-LEAK", expiration: expiration)
    }

    var endpoint: String { server.baseURL }

    func setCredentials(_ reply: CredentialsReply) {
        backend.state.withLock { $0.credentials = reply }
    }

    /// Makes every token issued so far invalid, as after expiry or revocation.
    func revokeAllTokens() {
        backend.state.withLock { $0.issuedTokens.removeAll() }
    }

    func count(_ path: String, _ method: HTTPMethod? = nil) -> Int {
        server.requestCount(path, method: method)
    }

    private static func handle(_ request: FakeHTTPServer.Request, backend: Backend) -> FakeHTTPServer.Response {
        if request.path == Self.tokenPath {
            guard request.method == .PUT else { return .reply(.methodNotAllowed) }
            guard let ttlText = request.headers.first(name: "X-aws-ec2-metadata-token-ttl-seconds"),
                let ttl = Int(ttlText), (1...21_600).contains(ttl)
            else { return .reply(.badRequest) }
            let token = backend.state.withLock { state in
                state.tokenCounter += 1
                let token = "imds-session-token-\(state.tokenCounter)-SHOULD-NOT-LEAK"
                state.issuedTokens.insert(token)
                state.requestedTTLs.append(ttlText)
                return token
            }
            return FakeHTTPServer.Response(
                status: .ok,
                headers: ["X-aws-ec2-metadata-token-ttl-seconds": ttlText],
                body: token
            )
        }

        guard request.method == .GET else { return .reply(.methodNotAllowed) }
        let authorized = backend.state.withLock { state in
            let ok = request.headers.first(name: "X-aws-ec2-metadata-token").map(state.issuedTokens.contains) ?? false
            if !ok { state.unauthorizedCount += 1 }
            return ok
        }
        guard authorized else { return .reply(.unauthorized) }

        switch request.path {
        case Self.rolePath:
            return .ok(Self.role + "\n")
        case Self.credentialsPath:
            switch backend.state.withLock({ $0.credentials }) {
            case .success(let accessKeyID, let secret, let token, let expiration):
                return .ok(
                    CredentialsJSON.document(
                        accessKeyID: accessKeyID, secretAccessKey: secret, token: token, expiration: expiration, code: "Success"
                    )
                )
            case .code(let code):
                return .ok(
                    CredentialsJSON.document(
                        accessKeyID: "ASIAIMDS", secretAccessKey: "imds-secret-SHOULD-NOT-LEAK",
                        token: "imds-token-SHOULD-NOT-LEAK", expiration: TestClock.start, code: code
                    )
                )
            case .body(let body):
                return .ok(body)
            case .status(let status):
                return .reply(status)
            }
        default:
            return .reply(.notFound)
        }
    }

    func shutdown() async throws {
        try await server.shutdown()
    }
}

@Suite("IMDSCredentialProvider")
struct IMDSCredentialProviderTests {
    static let expiration = TestClock.start.addingTimeInterval(3600)

    func makeProvider(
        _ imds: FakeIMDS,
        clock: TestClock,
        environment: [String: String] = [:],
        roleName: String? = nil,
        tokenTTL: Int = 21_600,
        refreshMargin: TimeInterval = 300,
        retryInterval: TimeInterval = 0
    ) -> IMDSCredentialProvider {
        IMDSCredentialProvider(
            environment: environment,
            endpoint: imds.endpoint,
            roleName: roleName,
            tokenTTL: tokenTTL,
            requestTimeout: .seconds(5),
            refreshMargin: refreshMargin,
            retryInterval: retryInterval,
            now: clock.source
        )
    }

    func expectNoSecrets(_ error: CredentialsError?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error?.description.contains("SHOULD-NOT-LEAK") == false, sourceLocation: sourceLocation)
    }

    @Test func happyPathUsesIMDSv2TokenRoleListingAndCredentials() async throws {
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success(expiration: Self.expiration))
        let provider = makeProvider(imds, clock: TestClock())

        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "ASIAIMDS")
        #expect(credentials.secretAccessKey == "imds-secret-SHOULD-NOT-LEAK")
        #expect(credentials.sessionToken == "imds-token-SHOULD-NOT-LEAK")
        #expect(credentials.expiration == Self.expiration)
        #expect(provider.name == "imds")

        #expect(imds.count(FakeIMDS.tokenPath, .PUT) == 1)
        #expect(imds.count(FakeIMDS.rolePath, .GET) == 1)
        #expect(imds.count(FakeIMDS.credentialsPath, .GET) == 1)
        #expect(imds.snapshot().requestedTTLs == ["21600"])
        #expect(imds.snapshot().unauthorizedCount == 0)
        try await imds.shutdown()
    }

    @Test func tokenTTLIsConfigurable() async throws {
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success(expiration: Self.expiration))
        _ = try await makeProvider(imds, clock: TestClock(), tokenTTL: 300).credentials()
        #expect(imds.snapshot().requestedTTLs == ["300"])
        try await imds.shutdown()
    }

    @Test func explicitRoleNameSkipsTheRoleListing() async throws {
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success(expiration: Self.expiration))
        _ = try await makeProvider(imds, clock: TestClock(), roleName: FakeIMDS.role).credentials()
        #expect(imds.count(FakeIMDS.rolePath) == 0)
        #expect(imds.count(FakeIMDS.credentialsPath) == 1)
        try await imds.shutdown()
    }

    @Test func endpointComesFromEnvironmentVariable() async throws {
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success(expiration: Self.expiration))
        let provider = IMDSCredentialProvider(
            environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.endpoint + "/"],
            now: TestClock().source
        )
        #expect(provider.endpoint == imds.endpoint)
        _ = try await provider.credentials()
        #expect(imds.count(FakeIMDS.credentialsPath) == 1)
        try await imds.shutdown()
    }

    @Test func defaultEndpoints() {
        #expect(IMDSCredentialProvider(environment: [:]).endpoint == "http://169.254.169.254")
        #expect(
            IMDSCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"]).endpoint
                == "http://[fd00:ec2::254]"
        )
    }

    @Test func cachedCredentialsAreRefreshedOnlyWithinTheMarginOfExpiry() async throws {
        let clock = TestClock()
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success("ASIAFIRST", expiration: Self.expiration))
        let provider = makeProvider(imds, clock: clock, refreshMargin: 300)

        #expect(try await provider.credentials().accessKeyID == "ASIAFIRST")
        imds.setCredentials(FakeIMDS.success("ASIASECOND", expiration: Self.expiration.addingTimeInterval(3600)))

        clock.set(Self.expiration.addingTimeInterval(-301))
        #expect(try await provider.credentials().accessKeyID == "ASIAFIRST")
        #expect(imds.count(FakeIMDS.credentialsPath) == 1)

        clock.set(Self.expiration.addingTimeInterval(-299))
        #expect(try await provider.credentials().accessKeyID == "ASIASECOND")
        #expect(imds.count(FakeIMDS.credentialsPath) == 2)

        // The new credentials are cached in turn.
        #expect(try await provider.credentials().accessKeyID == "ASIASECOND")
        #expect(imds.count(FakeIMDS.credentialsPath) == 2)
        // The session token was still fresh: no second PUT.
        #expect(imds.count(FakeIMDS.tokenPath) == 1)
        try await imds.shutdown()
    }

    @Test func revokedTokenGets401ThenANewTokenAndTheRequestIsRetried() async throws {
        let clock = TestClock()
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success("ASIAFIRST", expiration: Self.expiration))
        let provider = makeProvider(imds, clock: clock)
        _ = try await provider.credentials()

        imds.revokeAllTokens()
        imds.setCredentials(FakeIMDS.success("ASIASECOND", expiration: Self.expiration.addingTimeInterval(3600)))
        clock.set(Self.expiration.addingTimeInterval(-60))

        #expect(try await provider.credentials().accessKeyID == "ASIASECOND")
        #expect(imds.snapshot().unauthorizedCount == 1)
        #expect(imds.count(FakeIMDS.tokenPath, .PUT) == 2)
        // The listing was asked three times: first fetch, rejected with the old token, retried.
        #expect(imds.count(FakeIMDS.rolePath) == 3)
        #expect(imds.count(FakeIMDS.credentialsPath) == 2)
        try await imds.shutdown()
    }

    @Test func tokenIsRenewedBeforeItsTTLEnds() async throws {
        let clock = TestClock()
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success(expiration: Self.expiration))
        let provider = makeProvider(imds, clock: clock, tokenTTL: 600)
        _ = try await provider.credentials()

        imds.setCredentials(FakeIMDS.success(expiration: Self.expiration.addingTimeInterval(3600)))
        clock.set(Self.expiration.addingTimeInterval(-60))
        _ = try await provider.credentials()
        #expect(imds.count(FakeIMDS.tokenPath, .PUT) == 2)
        #expect(imds.snapshot().unauthorizedCount == 0)
        try await imds.shutdown()
    }

    @Test func concurrentCallsShareOneFetch() async throws {
        let clock = TestClock()
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success(expiration: Self.expiration))
        let provider = makeProvider(imds, clock: clock)

        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask { try await provider.credentials().accessKeyID }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(keys.count == 50)
        #expect(Set(keys) == ["ASIAIMDS"])
        #expect(imds.count(FakeIMDS.tokenPath) == 1)
        #expect(imds.count(FakeIMDS.rolePath) == 1)
        #expect(imds.count(FakeIMDS.credentialsPath) == 1)

        // And again once a refresh is due.
        imds.setCredentials(FakeIMDS.success("ASIAREFRESHED", expiration: Self.expiration.addingTimeInterval(3600)))
        clock.set(Self.expiration.addingTimeInterval(-10))
        let refreshed = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask { try await provider.credentials().accessKeyID }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(refreshed) == ["ASIAREFRESHED"])
        #expect(imds.count(FakeIMDS.credentialsPath) == 2)
        try await imds.shutdown()
    }

    @Test func unreachableServiceIsProviderUnavailableQuickly() async throws {
        let server = try await FakeHTTPServer.start { _ in .reply(.ok) }
        let endpoint = server.baseURL
        try await server.shutdown()

        let provider = IMDSCredentialProvider(
            environment: [:],
            endpoint: endpoint,
            requestTimeout: .milliseconds(500),
            now: TestClock().source
        )
        let started = ContinuousClock.now
        let error = await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(error?.code == .providerUnavailable)
        #expect(error?.message.contains("EC2 instance metadata service not reachable at \(endpoint)") == true)
    }

    @Test func failedRefreshReturnsCachedCredentialsWhileTheyAreValid() async throws {
        let clock = TestClock()
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success("ASIACACHED", expiration: Self.expiration))
        let provider = makeProvider(imds, clock: clock)
        _ = try await provider.credentials()

        imds.setCredentials(.status(.internalServerError))
        clock.set(Self.expiration.addingTimeInterval(-60))
        #expect(try await provider.credentials().accessKeyID == "ASIACACHED")
        #expect(imds.count(FakeIMDS.credentialsPath) == 2)

        // Once they have expired, the failure surfaces.
        clock.set(Self.expiration.addingTimeInterval(1))
        let error = await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        #expect(error?.code == .providerUnavailable)
        #expect(error?.message.contains("HTTP 500") == true)
        expectNoSecrets(error)
        try await imds.shutdown()
    }

    @Test(arguments: ["true", "TRUE", "True"])
    func disabledByEnvironmentIsNotConfiguredAndSendsNothing(_ value: String) async throws {
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success(expiration: Self.expiration))
        let provider = makeProvider(imds, clock: TestClock(), environment: ["AWS_EC2_METADATA_DISABLED": value])
        let error = await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        #expect(error?.code == .notConfigured)
        #expect(error?.message.contains("AWS_EC2_METADATA_DISABLED") == true)
        #expect(imds.server.totalRequestCount == 0)
        try await imds.shutdown()
    }

    @Test func nonSuccessCodeIsProviderUnavailableWithTheCode() async throws {
        let imds = try await FakeIMDS.start(credentials: .code("AssumeRoleUnauthorizedAccess"))
        let error = await #expect(throws: CredentialsError.self) {
            try await makeProvider(imds, clock: TestClock()).credentials()
        }
        #expect(error?.code == .providerUnavailable)
        #expect(error?.message.contains("AssumeRoleUnauthorizedAccess") == true)
        expectNoSecrets(error)
        try await imds.shutdown()
    }

    @Test(arguments: [
        #"{"Code": "Success", "AccessKeyId": "ASIA", "SecretAccessKey": "imds-secret-SHOULD-NOT-LEAK""#,
        "not json at all SHOULD-NOT-LEAK",
        #"{"Code": "Success", "AccessKeyId": "ASIA", "Token": "t-SHOULD-NOT-LEAK", "Expiration": "2027-01-15T09:00:00Z"}"#,
        #"{"Code": "Success", "AccessKeyId": "ASIA", "SecretAccessKey": "s-SHOULD-NOT-LEAK", "Expiration": "yesterday"}"#,
        #"["SHOULD-NOT-LEAK"]"#,
    ])
    func malformedDocumentIsInvalidResponse(_ body: String) async throws {
        let imds = try await FakeIMDS.start(credentials: .body(body))
        let error = await #expect(throws: CredentialsError.self) {
            try await makeProvider(imds, clock: TestClock()).credentials()
        }
        #expect(error?.code == .invalidResponse)
        expectNoSecrets(error)
        try await imds.shutdown()
    }

    @Test func missingRoleIsProviderUnavailable() async throws {
        let imds = try await FakeIMDS.start(credentials: FakeIMDS.success(expiration: Self.expiration))
        let error = await #expect(throws: CredentialsError.self) {
            try await makeProvider(imds, clock: TestClock(), roleName: "no-such-role").credentials()
        }
        #expect(error?.code == .providerUnavailable)
        #expect(error?.message.contains("no-such-role") == true)
        expectNoSecrets(error)
        try await imds.shutdown()
    }
}
