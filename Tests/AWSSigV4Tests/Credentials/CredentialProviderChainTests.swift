import Foundation
import Synchronization
import TestSupport
import Testing

@testable import AWSSigV4

/// A provider returning a fixed outcome and counting how often it is asked.
final class StubProvider: CredentialProvider {
    let name: String
    private let outcome: Result<Credentials, CredentialsError>
    private let calls = Mutex(0)

    init(_ name: String, _ outcome: Result<Credentials, CredentialsError>) {
        self.name = name
        self.outcome = outcome
    }

    static func failing(_ name: String, _ code: CredentialsError.Code, _ message: String) -> StubProvider {
        StubProvider(name, .failure(CredentialsError(code: code, message: message, provider: name)))
    }

    static func succeeding(_ name: String, keyID: String) -> StubProvider {
        StubProvider(name, .success(Credentials(accessKeyID: keyID, secretAccessKey: "stub-secret-\(keyID)")))
    }

    var callCount: Int { calls.withLock { $0 } }

    func credentials() async throws -> Credentials {
        calls.withLock { $0 += 1 }
        return try outcome.get()
    }
}

@Suite("CredentialProviderChain")
struct CredentialProviderChainTests {
    @Test func firstProviderWithCredentialsWinsAndLaterOnesAreNotAsked() async throws {
        let first = StubProvider.succeeding("first", keyID: "AKIDFIRST")
        let second = StubProvider.succeeding("second", keyID: "AKIDSECOND")
        let chain = CredentialProviderChain(providers: [first, second])
        #expect(try await chain.credentials().accessKeyID == "AKIDFIRST")
        #expect(second.callCount == 0)
    }

    @Test func notConfiguredAndOtherErrorsFallThrough() async throws {
        let notConfigured = StubProvider.failing("a", .notConfigured, "nothing here")
        let broken = StubProvider.failing("b", .invalidConfiguration, "broken file")
        let unavailable = StubProvider.failing("c", .providerUnavailable, "down")
        let working = StubProvider.succeeding("d", keyID: "AKIDD")
        let chain = CredentialProviderChain(providers: [notConfigured, broken, unavailable, working])
        #expect(try await chain.credentials().accessKeyID == "AKIDD")
        #expect([notConfigured, broken, unavailable, working].map(\.callCount) == [1, 1, 1, 1])
        #expect(chain.resolvedProvider?.name == "d")
    }

    @Test func providerThatWorkedIsRememberedAndAskedDirectly() async throws {
        let skipped = StubProvider.failing("skipped", .notConfigured, "no")
        let working = StubProvider.succeeding("working", keyID: "AKIDW")
        let chain = CredentialProviderChain(providers: [skipped, working])
        for _ in 0..<3 {
            #expect(try await chain.credentials().accessKeyID == "AKIDW")
        }
        #expect(skipped.callCount == 1)
        #expect(working.callCount == 3)
    }

    @Test func noCredentialsErrorListsEveryProvidersReason() async throws {
        let chain = CredentialProviderChain(providers: [
            StubProvider.failing("environment", .notConfigured, "AWS_ACCESS_KEY_ID not set"),
            StubProvider.failing("shared files", .notConfigured, "no credentials file"),
            StubProvider.failing("imds", .providerUnavailable, "not reachable"),
        ])
        let error = await #expect(throws: CredentialsError.self) { try await chain.credentials() }
        #expect(error?.code == .noCredentials)
        #expect(error?.provider == "chain")
        #expect(
            error?.message
                == "environment: AWS_ACCESS_KEY_ID not set; shared files: no credentials file; imds: not reachable"
        )
        #expect(chain.resolvedProvider == nil)
    }

    @Test func defaultChainHasTheSDKOrder() {
        #expect(
            CredentialProviderChain.default(environment: [:]).providers.map(\.name) == [
                "environment", "shared files", "ecs", "imds",
            ])
        let withStatic = CredentialProviderChain.default(
            credentials: Credentials(accessKeyID: "AKIDSTATIC", secretAccessKey: "s"),
            environment: [:]
        )
        #expect(withStatic.providers.map(\.name) == ["static", "environment", "shared files", "ecs", "imds"])
    }

    @Test func defaultChainPrefersEnvironmentOverSharedFiles() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        try home.write(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n")
        let base = ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"]

        let fromEnvironment = CredentialProviderChain.default(
            environment: base.merging(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret"]) { $1 }
        )
        #expect(try await fromEnvironment.credentials().accessKeyID == "AKIDENV")
        #expect(fromEnvironment.resolvedProvider?.name == "environment")

        let fromFiles = CredentialProviderChain.default(environment: base)
        #expect(try await fromFiles.credentials().accessKeyID == "AKIDFILE")
        #expect(fromFiles.resolvedProvider?.name == "shared files")
    }

    @Test func defaultChainFallsThroughToIMDS() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let imds = try await FakeIMDS.start(
            credentials: FakeIMDS.success("ASIACHAINIMDS", expiration: Date().addingTimeInterval(3600))
        )
        let chain = CredentialProviderChain.default(environment: [
            "HOME": home.path,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.endpoint,
        ])
        #expect(try await chain.credentials().accessKeyID == "ASIACHAINIMDS")
        #expect(chain.resolvedProvider?.name == "imds")
        #expect(try await chain.credentials().accessKeyID == "ASIACHAINIMDS")
        #expect(imds.count(FakeIMDS.credentialsPath) == 1)
        try await imds.shutdown()
    }

    @Test func defaultChainWithNothingConfiguredExplainsEachProvider() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let chain = CredentialProviderChain.default(environment: [
            "HOME": home.path,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_SECRET_ACCESS_KEY": "half-configured-SHOULD-NOT-LEAK",
        ])
        let error = await #expect(throws: CredentialsError.self) { try await chain.credentials() }
        #expect(error?.code == .noCredentials)
        let message = error?.message ?? ""
        #expect(message.contains("environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"))
        #expect(message.contains("shared files: no credentials file at \(home.path)/.aws/credentials"))
        #expect(message.contains("ecs: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set"))
        #expect(message.contains("imds: disabled by AWS_EC2_METADATA_DISABLED"))
        #expect(error?.description.contains("SHOULD-NOT-LEAK") == false)
    }

    @Test func foreignErrorsAreNamedByTypeOnly() async throws {
        struct LeakyError: Error, CustomStringConvertible {
            var description: String { "secret-SHOULD-NOT-LEAK" }
        }
        struct LeakyProvider: CredentialProvider {
            var name: String { "leaky" }
            func credentials() async throws -> Credentials { throw LeakyError() }
        }
        let error = await #expect(throws: CredentialsError.self) {
            try await CredentialProviderChain(providers: [LeakyProvider()]).credentials()
        }
        #expect(error?.message == "leaky: LeakyError")
    }
}
