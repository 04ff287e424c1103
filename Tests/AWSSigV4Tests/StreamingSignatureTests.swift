import AWSSigV4
import Crypto
import Foundation
import NIOHTTP1
import Testing

/// `aws-chunked` uploads: the AWS S3 documentation's worked example and the unsigned-trailer form.
@Suite struct StreamingSignatureTests {
    // "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks"
    // (Amazon S3 API Reference, sigv4-streaming): 65 KiB of 'a', 64 KiB chunks.
    static let exampleCredentials = Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let examplePayload = [UInt8](repeating: UInt8(ascii: "a"), count: 66_560)

    private func signExample() throws -> (SigV4Request, SigV4Signature) {
        var request = SigV4Request(
            method: "PUT", host: "s3.amazonaws.com", path: "/examplebucket/chunkObject.txt",
            headers: ["x-amz-storage-class": "REDUCED_REDUNDANCY"])
        let signer = SigV4Signer(credentials: Self.exampleCredentials, region: "us-east-1", service: "s3")
        let payload = try StreamingPayload.signed(decodedLength: 66_560, chunkSize: 65_536)
        let signature = signer.sign(&request, body: .streaming(payload), date: Self.exampleDate)
        return (request, signature)
    }

    @Test func awsChunkedExampleSeedSignatureAndHeadersMatchDocumentation() throws {
        let (request, signature) = try signExample()
        #expect(
            signature.canonicalRequest.text == """
                PUT
                /examplebucket/chunkObject.txt

                content-encoding:aws-chunked
                content-length:66824
                host:s3.amazonaws.com
                x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD
                x-amz-date:20130524T000000Z
                x-amz-decoded-content-length:66560
                x-amz-storage-class:REDUCED_REDUNDANCY

                content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class
                STREAMING-AWS4-HMAC-SHA256-PAYLOAD
                """)
        #expect(signature.signature == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
        #expect(request.headers.first(name: "Content-Length") == "66824")
        #expect(request.headers.first(name: "x-amz-decoded-content-length") == "66560")
        #expect(request.headers.first(name: "Content-Encoding") == "aws-chunked")
        #expect(
            request.headers.first(name: "Authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class, Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
        )
    }

    @Test func awsChunkedExampleChunkSignaturesMatchDocumentation() throws {
        let (_, signature) = try signExample()
        var signer = signature.chunkSigner()
        #expect(signer.sign(chunk: Self.examplePayload[0..<65_536]) == "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648")
        #expect(signer.sign(chunk: Self.examplePayload[65_536...]) == "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497")
        #expect(signer.sign(chunk: [UInt8]()) == "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")
    }

    @Test func encoderFramesTheExampleExactlyWhateverTheInputBufferSizes() throws {
        let (request, signature) = try signExample()
        for bufferSize in [1_000, 65_536, 66_560, 7] {
            var encoder = try #require(signature.chunkedEncoder())
            var body: [UInt8] = []
            var offset = 0
            while offset < Self.examplePayload.count {
                let end = min(offset + bufferSize, Self.examplePayload.count)
                body += try encoder.encode(Self.examplePayload[offset..<end])
                offset = end
            }
            body += try encoder.finish()
            #expect(body.count == 66_824)
            #expect(String(body.count) == request.headers.first(name: "Content-Length"))
            let text = String(decoding: body, as: UTF8.self)
            #expect(text.hasPrefix("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\naaaa"))
            #expect(text.contains("\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\naaaa"))
            #expect(text.hasSuffix("a\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"))
        }
    }

    @Test func encoderRejectsABodyOfAnotherLengthThanDeclared() throws {
        let (_, signature) = try signExample()
        var short = try #require(signature.chunkedEncoder())
        _ = try short.encode([UInt8](repeating: 0, count: 100))
        #expect(throws: SigV4Error.self) { try short.finish() }
        var long = try #require(signature.chunkedEncoder())
        #expect(throws: SigV4Error.self) { try long.encode([UInt8](repeating: 0, count: 66_561)) }
    }

    @Test func streamingPayloadRejectsImpossibleSizes() {
        #expect(throws: SigV4Error.self) { try StreamingPayload.signed(decodedLength: -1) }
        #expect(throws: SigV4Error.self) { try StreamingPayload.signed(decodedLength: 10, chunkSize: 0) }
    }

    @Test(arguments: [0, 1, 8_191, 8_192, 65_536, 100_000, 1_048_577])
    func encodedLengthEqualsTheBytesProducedInBothModes(length: Int) throws {
        let body = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let signer = SigV4Signer(credentials: Self.exampleCredentials, region: "eu-west-1", service: "s3")
        for payload in [
            try StreamingPayload.signed(decodedLength: length, chunkSize: 8_192),
            try StreamingPayload.unsignedTrailer(decodedLength: length, checksum: .crc32c, chunkSize: 8_192),
            try StreamingPayload.unsignedTrailer(decodedLength: length, checksum: .sha256, chunkSize: 65_536),
        ] {
            var request = SigV4Request(method: "PUT", host: "bucket.s3.amazonaws.com", path: "/key")
            let signature = signer.sign(&request, body: .streaming(payload), date: Self.exampleDate)
            var encoder = try #require(signature.chunkedEncoder())
            let framed = try encoder.encode(body) + encoder.finish()
            #expect(framed.count == payload.encodedLength)
            #expect(request.headers.first(name: "Content-Length") == String(framed.count))
        }
    }

    @Test func unsignedTrailerFramingCarriesTheCRC32CChecksum() throws {
        let body = Array("123456789".utf8)
        var request = SigV4Request(method: "PUT", scheme: "https", host: "bucket.s3.amazonaws.com", path: "/key")
        let payload = try StreamingPayload.unsignedTrailer(decodedLength: body.count, checksum: .crc32c)
        let signer = SigV4Signer(credentials: Self.exampleCredentials, region: "us-east-1", service: "s3")
        let signature = signer.sign(&request, body: .streaming(payload), date: Self.exampleDate)
        #expect(request.headers.first(name: "x-amz-content-sha256") == "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        #expect(request.headers.first(name: "x-amz-trailer") == "x-amz-checksum-crc32c")
        #expect(request.headers.first(name: "x-amz-decoded-content-length") == "9")
        #expect(signature.canonicalRequest.text.hasSuffix("\nSTREAMING-UNSIGNED-PAYLOAD-TRAILER"))
        var encoder = try #require(signature.chunkedEncoder())
        let framed = try encoder.encode(body) + encoder.finish()
        // CRC-32C("123456789") = 0xE3069283 → base64 of its big-endian bytes.
        #expect(String(decoding: framed, as: UTF8.self) == "9\r\n123456789\r\n0\r\nx-amz-checksum-crc32c:4waSgw==\r\n\r\n")
        #expect(request.headers.first(name: "Content-Length") == String(framed.count))
    }

    @Test func unsignedTrailerWithSHA256CarriesTheBase64Digest() throws {
        let body = Array("hello world".utf8)
        var request = SigV4Request(method: "PUT", host: "bucket.s3.amazonaws.com", path: "/key")
        let payload = try StreamingPayload.unsignedTrailer(decodedLength: body.count, checksum: .sha256)
        let signature = SigV4Signer(credentials: Self.exampleCredentials, region: "us-east-1", service: "s3")
            .sign(&request, body: .streaming(payload), date: Self.exampleDate)
        var encoder = try #require(signature.chunkedEncoder())
        let framed = String(decoding: try encoder.encode(body) + encoder.finish(), as: UTF8.self)
        let expected = Data(SHA256.hash(data: body)).base64EncodedString()
        #expect(framed == "b\r\nhello world\r\n0\r\nx-amz-checksum-sha256:\(expected)\r\n\r\n")
    }
}
