import AWSClientRuntime
import AWSSigV4
import NIOHTTP1
import Testing

@testable import S3Client

/// Path-style and virtual-hosted addressing, key encoding, the presigned URLs' origin and part sizing.
@Suite struct S3AddressingTests {
    @Test func customEndpointsUsePathStyleAndEncodeKeysOnce() throws {
        let endpoint = try #require(AWSEndpoint(url: "http://127.0.0.1:4566"))
        let address = S3Address(bucket: "videoqueue", key: "sources/a b/ü+=&.mp4", endpoint: endpoint, addressing: .automatic)
        #expect(address.hostPrefix.isEmpty)
        #expect(address.path == "/videoqueue/sources/a%20b/%C3%BC%2B%3D%26.mp4")
    }

    @Test func awsEndpointsUseVirtualHostsForDNSCompatibleNames() throws {
        let endpoint = AWSService.s3.defaultEndpoint(region: "eu-west-1")
        let virtual = S3Address(bucket: "videoqueue", key: "k/1", endpoint: endpoint, addressing: .automatic)
        #expect(virtual.hostPrefix == "videoqueue.")
        #expect(virtual.path == "/k/1")
        let dotted = S3Address(bucket: "my.bucket", key: "k", endpoint: endpoint, addressing: .automatic)
        #expect(dotted.hostPrefix.isEmpty)  // dots break the TLS wildcard
        #expect(S3Address(bucket: "Upper", key: nil, endpoint: endpoint, addressing: .automatic).path == "/Upper")
        #expect(S3Address(bucket: "videoqueue", key: nil, endpoint: endpoint, addressing: .path).hostPrefix.isEmpty)
    }

    @Test func thePresignedURLsOriginIsTheEndpointsOrTheBucketsVirtualHost() async throws {
        let credentials = StaticCredentialProvider(credentials: Credentials(accessKeyID: "AKID", secretAccessKey: "secret"))
        let local = S3Client(
            configuration: AWSClientConfiguration(
                region: "us-east-1", endpoint: try #require(AWSEndpoint(url: "http://127.0.0.1:4566")), credentialProvider: credentials))
        let aws = S3Client(
            configuration: AWSClientConfiguration(
                region: "eu-west-1", endpoint: AWSService.s3.defaultEndpoint(region: "eu-west-1"), credentialProvider: credentials))
        #expect(local.origin(of: "videoqueue") == "http://127.0.0.1:4566")
        #expect(aws.origin(of: "videoqueue") == "https://videoqueue.s3.eu-west-1.amazonaws.com")
        #expect(aws.origin(of: "my.bucket") == "https://s3.eu-west-1.amazonaws.com")
        // What a page's Content-Security-Policy allows is where the presigned URLs point.
        for (s3, bucket) in [(local, "videoqueue"), (aws, "videoqueue"), (aws, "my.bucket")] {
            let url = try await s3.presignedURL(.GET, bucket: bucket, key: "outputs/1/poster.jpg", expires: 60)
            #expect(url.hasPrefix(s3.origin(of: bucket) + "/"), "\(url)")
        }
    }

    @Test func partSizesGrowSoNoUploadNeedsMoreThanTenThousandParts() {
        let options = S3ClientOptions()
        #expect(options.partSize(forUploadOf: 1 << 30) == 8 << 20)
        let huge = 200 * (1 << 30)
        let size = options.partSize(forUploadOf: huge)
        #expect((huge + size - 1) / size <= S3Limits.maximumParts)
    }
}
