import Testing

@testable import AWSSigV4

@Suite("StaticCredentialProvider")
struct StaticCredentialProviderTests {
    @Test func returnsTheGivenCredentials() async throws {
        let credentials = Credentials(accessKeyID: "AKIDSTATIC", secretAccessKey: "static-secret")
        let provider = StaticCredentialProvider(credentials: credentials)
        #expect(try await provider.credentials() == credentials)
        #expect(provider.name == "static")
    }
}
