import Foundation
import NIOHTTP1
import TestSupport
import Testing

@testable import AWSSigV4

@Suite("ContainerCredentialProvider")
struct ContainerCredentialProviderTests {
    static let secret = "ecs-secret-SHOULD-NOT-LEAK"
    static let sessionToken = "ecs-session-token-SHOULD-NOT-LEAK"
    static let relativePath = "/v2/credentials/3f8a1c2e-task"

    /// A container credentials endpoint that serves credentials at `path`, requiring
    /// `Authorization: <authorization>` when given.
    static func startEndpoint(path: String = relativePath, authorization: String? = nil) async throws -> FakeHTTPServer {
        let body = CredentialsJSON.document(
            accessKeyID: "ASIAECS",
            secretAccessKey: secret,
            token: sessionToken,
            expiration: TestClock.start.addingTimeInterval(3600)
        )
        return try await FakeHTTPServer.start { request in
            guard request.method == .GET, request.path == path else { return .reply(.notFound) }
            if let authorization, request.headers.first(name: "Authorization") != authorization {
                return .reply(.unauthorized)
            }
            return .ok(body, contentType: "application/json")
        }
    }

    func makeProvider(_ environment: [String: String], endpointOverride: String? = nil) -> ContainerCredentialProvider {
        ContainerCredentialProvider(
            environment: environment,
            endpointOverride: endpointOverride,
            timeout: .seconds(5),
            now: TestClock().source
        )
    }

    @Test func relativeURIIsResolvedAgainstTheEndpointOverride() async throws {
        let server = try await Self.startEndpoint()
        let provider = makeProvider(
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": Self.relativePath],
            endpointOverride: server.baseURL
        )
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "ASIAECS")
        #expect(credentials.secretAccessKey == Self.secret)
        #expect(credentials.sessionToken == Self.sessionToken)
        #expect(credentials.expiration == TestClock.start.addingTimeInterval(3600))
        #expect(server.requestCount(Self.relativePath, method: .GET) == 1)
        #expect(provider.name == "ecs")

        // Cached: a second call does not reach the server.
        _ = try await provider.credentials()
        #expect(server.requestCount(Self.relativePath) == 1)
        try await server.shutdown()
    }

    @Test func relativeURIDefaultsToTheECSAddress() {
        let provider = makeProvider(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"])
        #expect(provider.endpointURL == "http://169.254.170.2/v2/credentials/x")
    }

    @Test func relativeURIWinsOverFullURI() {
        let provider = makeProvider([
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/rel",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://example.com/full",
        ])
        #expect(provider.endpointURL == "http://169.254.170.2/rel")
    }

    @Test func fullURIOnLoopbackIsUsed() async throws {
        let server = try await Self.startEndpoint(path: "/full/creds")
        let provider = makeProvider(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/full/creds"])
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "ASIAECS")
        #expect(server.requestCount("/full/creds") == 1)
        try await server.shutdown()
    }

    @Test(arguments: [
        "http://example.com/creds",
        "http://169.254.169.254/latest/creds",
        "http://10.0.0.1/creds",
        "http://127.example.com/creds",
        "ftp://127.0.0.1/creds",
    ])
    func fullURIToDisallowedHostIsRejected(_ uri: String) async throws {
        let error = await #expect(throws: CredentialsError.self) {
            try await makeProvider(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri]).credentials()
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI") == true)
    }

    @Test(arguments: [
        "https://creds.example.com/path",
        "http://127.0.0.1:8080/creds",
        "http://127.1.2.3/creds",
        "http://localhost:9000/creds",
        "http://[::1]:9000/creds",
        "http://169.254.170.2/v1/credentials",
        "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials",
    ])
    func fullURIToAllowedHostIsAccepted(_ uri: String) {
        #expect(makeProvider(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri]).endpointURL == uri)
    }

    @Test func authorizationTokenFromEnvironmentIsSent() async throws {
        let server = try await Self.startEndpoint(authorization: "env-auth-token")
        let environment = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + Self.relativePath,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-auth-token",
        ]
        let credentials = try await makeProvider(environment).credentials()
        #expect(credentials.accessKeyID == "ASIAECS")
        try await server.shutdown()
    }

    @Test func authorizationTokenFileIsReadTrimmedAndWinsOverTheVariable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("token", "  file-auth-token\n")
        let server = try await Self.startEndpoint(authorization: "file-auth-token")
        let environment = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + Self.relativePath,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-auth-token",
        ]
        let credentials = try await makeProvider(environment).credentials()
        #expect(credentials.accessKeyID == "ASIAECS")
        try await server.shutdown()
    }

    @Test func wrongAuthorizationTokenIsProviderUnavailableWithoutLeakingIt() async throws {
        let server = try await Self.startEndpoint(authorization: "right-token")
        let environment = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + Self.relativePath,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong-token-SHOULD-NOT-LEAK",
        ]
        let error = await #expect(throws: CredentialsError.self) { try await makeProvider(environment).credentials() }
        #expect(error?.code == .providerUnavailable)
        #expect(error?.message.contains("HTTP 401") == true)
        #expect(error?.description.contains("SHOULD-NOT-LEAK") == false)
        try await server.shutdown()
    }

    @Test func unreadableTokenFileIsInvalidConfiguration() async throws {
        let environment = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/nonexistent/token-file",
        ]
        let error = await #expect(throws: CredentialsError.self) { try await makeProvider(environment).credentials() }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("/nonexistent/token-file") == true)
    }

    @Test func withoutURIVariablesItIsNotConfigured() async throws {
        let error = await #expect(throws: CredentialsError.self) { try await makeProvider([:]).credentials() }
        #expect(error?.code == .notConfigured)
    }

    @Test func malformedResponseIsInvalidResponseWithoutLeakingIt() async throws {
        let server = try await FakeHTTPServer.start { _ in
            .ok(#"{"AccessKeyId": "ASIA", "SecretAccessKey": "partial-SHOULD-NOT-LEAK""#)
        }
        let error = await #expect(throws: CredentialsError.self) {
            try await makeProvider(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds"]).credentials()
        }
        #expect(error?.code == .invalidResponse)
        #expect(error?.description.contains("SHOULD-NOT-LEAK") == false)
        try await server.shutdown()
    }

    @Test func refreshesAheadOfExpiry() async throws {
        let clock = TestClock()
        let server = try await Self.startEndpoint()
        let provider = ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": Self.relativePath],
            endpointOverride: server.baseURL,
            refreshMargin: 300,
            now: clock.source
        )
        _ = try await provider.credentials()
        clock.advance(by: 3600 - 301)
        _ = try await provider.credentials()
        #expect(server.requestCount(Self.relativePath) == 1)
        clock.advance(by: 2)
        // The server keeps returning the same expiry, now inside the margin: fetched, still valid, returned.
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "ASIAECS")
        #expect(server.requestCount(Self.relativePath) == 2)
        try await server.shutdown()
    }
}
