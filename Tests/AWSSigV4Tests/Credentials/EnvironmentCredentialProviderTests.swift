import Testing

@testable import AWSSigV4

@Suite("EnvironmentCredentialProvider")
struct EnvironmentCredentialProviderTests {
    @Test func readsKeyIDSecretAndSessionToken() async throws {
        let provider = EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV",
            "AWS_SECRET_ACCESS_KEY": "env-secret",
            "AWS_SESSION_TOKEN": "env-token",
        ])
        let credentials = try await provider.credentials()
        #expect(credentials == Credentials(accessKeyID: "AKIDENV", secretAccessKey: "env-secret", sessionToken: "env-token"))
        #expect(provider.name == "environment")
    }

    @Test func sessionTokenIsOptional() async throws {
        let provider = EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV",
            "AWS_SECRET_ACCESS_KEY": "env-secret",
        ])
        let credentials = try await provider.credentials()
        #expect(credentials.sessionToken == nil)
        #expect(credentials.expiration == nil)
    }

    @Test func unsetVariablesAreNotConfigured() async throws {
        let error = await #expect(throws: CredentialsError.self) {
            try await EnvironmentCredentialProvider(environment: ["HOME": "/root"]).credentials()
        }
        #expect(error?.code == .notConfigured)
        #expect(error?.message.contains("AWS_ACCESS_KEY_ID not set") == true)
    }

    @Test func emptyVariablesCountAsUnset() async throws {
        let error = await #expect(throws: CredentialsError.self) {
            try await EnvironmentCredentialProvider(environment: [
                "AWS_ACCESS_KEY_ID": "",
                "AWS_SECRET_ACCESS_KEY": "",
                "AWS_SESSION_TOKEN": "",
            ]).credentials()
        }
        #expect(error?.code == .notConfigured)

        let credentials = try await EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV",
            "AWS_SECRET_ACCESS_KEY": "env-secret",
            "AWS_SESSION_TOKEN": "",
        ]).credentials()
        #expect(credentials.sessionToken == nil)
    }

    @Test func onlyKeyIDIsInvalidAndNamesTheSecretVariable() async throws {
        let error = await #expect(throws: CredentialsError.self) {
            try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIDENV"]).credentials()
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("AWS_SECRET_ACCESS_KEY") == true)
    }

    @Test func onlySecretIsInvalidAndNamesTheKeyIDVariableWithoutTheSecret() async throws {
        let error = await #expect(throws: CredentialsError.self) {
            try await EnvironmentCredentialProvider(environment: [
                "AWS_ACCESS_KEY_ID": "",
                "AWS_SECRET_ACCESS_KEY": "lonely-secret",
            ]).credentials()
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("AWS_ACCESS_KEY_ID") == true)
        #expect(error?.description.contains("lonely-secret") == false)
    }
}
