import AWSSigV4
import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import AWSClientRuntime

/// How a request body is signed: a body in memory with `authorize` (nothing kept), a streamed body with `sign`, whose
/// signature the body is made from (an aws-chunked body signs its chunks from the seed).
@Suite struct AWSRequestBodyTests {
    static let signer = SigV4Signer(
        credentials: Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "token"),
        region: "us-east-1", service: "s3")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)

    @Test func aBodyInMemoryIsSignedInPlaceAndSentAsItIs() throws {
        var request = SigV4Request(method: "PUT", host: "bucket.s3.amazonaws.com", path: "/key")
        var reference = request
        let body = AWSRequestBody.bytes(ByteBuffer(string: "{\"a\": 1}"))
        #expect(body.sign(&request, with: Self.signer, date: Self.date) != nil)
        Self.signer.sign(&reference, body: body.payload, date: Self.date)
        #expect(request.headers.first(name: "Authorization") == reference.headers.first(name: "Authorization"))
        #expect(request.headers.first(name: "x-amz-security-token") == "token")

        var empty = SigV4Request(method: "GET", host: "bucket.s3.amazonaws.com", path: "/key")
        #expect(AWSRequestBody.empty.sign(&empty, with: Self.signer, date: Self.date) == nil)
        #expect(empty.headers.first(name: "Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/") == true)
    }

    @Test func aStreamedBodyIsMadeFromTheSeedSignature() throws {
        let seed = Mutex<SigV4Signature?>(nil)
        let payload = try StreamingPayload.signed(decodedLength: 1_000)
        let body = AWSRequestBody.stream(payload: .streaming(payload), length: 1_000, replayable: true) { signature in
            seed.withLock { $0 = signature }
            return .bytes(ByteBuffer())
        }
        var request = SigV4Request(method: "PUT", host: "bucket.s3.amazonaws.com", path: "/key")
        #expect(body.sign(&request, with: Self.signer, date: Self.date) != nil)
        let signature = try #require(seed.withLock { $0 })
        #expect(signature.chunkedEncoder() != nil)
        #expect(request.headers.first(name: "Authorization")?.hasSuffix("Signature=\(signature.signature)") == true)
        #expect(request.headers.first(name: "Content-Encoding") == "aws-chunked")
    }
}
