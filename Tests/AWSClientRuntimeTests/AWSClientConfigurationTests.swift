import AWSClientRuntime
import AWSSigV4
import Testing

/// Region and endpoint resolution from the environment, following the AWS conventions.
@Suite struct AWSClientConfigurationTests {
    static let credentials = StaticCredentialProvider(credentials: Credentials(accessKeyID: "A", secretAccessKey: "S"))
    static let noFiles = ["AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]

    func configuration(_ environment: [String: String], service: AWSService = .sqs) throws(AWSConfigurationError) -> AWSClientConfiguration {
        try AWSClientConfiguration(service: service, environment: Self.noFiles.merging(environment) { $1 }, credentialProvider: Self.credentials)
    }

    @Test func theServiceSpecificEndpointWinsOverTheGeneralOne() throws {
        let env = ["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_SQS": "http://localhost:9324/"]
        #expect(try configuration(env).endpoint.url == "http://localhost:9324")
        #expect(try configuration(env, service: .s3).endpoint.url == "http://127.0.0.1:4566")
    }

    @Test func withoutOverridesThePublicRegionalEndpointIsUsed() throws {
        #expect(try configuration(["AWS_REGION": "eu-west-1"]).endpoint.url == "https://sqs.eu-west-1.amazonaws.com")
        #expect(try configuration(["AWS_DEFAULT_REGION": "us-west-2"], service: .s3).endpoint.url == "https://s3.us-west-2.amazonaws.com")
        #expect(try configuration(["AWS_REGION": "cn-north-1"]).endpoint.url == "https://sqs.cn-north-1.amazonaws.com.cn")
        #expect(try configuration(["AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "eu-west-1"]).region == "us-east-1")
    }

    @Test func aMissingOrMalformedSettingIsAClearError() {
        #expect(throws: AWSConfigurationError("no region: set AWS_REGION (or a region in the AWS config file)")) { try configuration([:]) }
        #expect(throws: AWSConfigurationError.self) { try configuration(["AWS_REGION": "us east 1"]) }
        #expect(throws: AWSConfigurationError("AWS_ENDPOINT_URL_SQS 'localhost:9324' is not an http or https URL")) {
            try configuration(["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_SQS": "localhost:9324"])
        }
        #expect(throws: AWSConfigurationError.self) { try configuration(["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "ftp://x"]) }
    }

    @Test func endpointsParseHostPortAndBasePath() throws {
        let endpoint = try #require(AWSEndpoint(url: "https://example.com:443/base/path/?q#f"))
        #expect(endpoint.host == "example.com")
        #expect(endpoint.basePath == "/base/path")
        #expect(endpoint.isSecure)
        #expect(AWSEndpoint(url: "http://user@host") == nil)
        #expect(AWSEndpoint(url: "http://") == nil)
        #expect(AWSEndpoint(url: "http://127.0.0.1:4566")?.host == "127.0.0.1:4566")
    }
}
