import Foundation
import NIOHTTP1
import Testing

@testable import AWSSigV4

@Suite struct SigV4SignerTests {
    static let credentials = Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    // MARK: Presigning

    @Test(arguments: [0, -1, 604_801, Int.max])
    func presignRejectsExpiryOutsideOneSecondToSevenDays(expires: Int) {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "s3")
        #expect(throws: SigV4Error(code: .invalidExpiry, message: "a presigned URL must expire within 1 to 604800 seconds (7 days), not \(expires)")) {
            try signer.presign(url: "https://bucket.s3.amazonaws.com/key", expires: expires, date: Self.date)
        }
    }

    @Test(arguments: [1, 3_600, 604_800])
    func presignAcceptsExpiryWithinBounds(expires: Int) throws {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "s3")
        let url = try signer.presign(url: "https://bucket.s3.amazonaws.com/key", expires: expires, date: Self.date)
        #expect(url.contains("&X-Amz-Expires=\(expires)&"))
    }

    @Test func s3PresignUsesUnsignedPayloadAndSignsTheToken() throws {
        var credentials = Self.credentials
        credentials.sessionToken = "token/with+reserved=chars"
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "s3")
        let presigned = try signer.presign(
            SigV4Request(method: "GET", url: "https://bucket.s3.eu-west-1.amazonaws.com/videos/a%20b.mp4"),
            expires: 900, date: Self.date)
        let canonical = presigned.signature.canonicalRequest.text
        #expect(canonical.hasSuffix("\nhost\nUNSIGNED-PAYLOAD"))
        #expect(canonical.contains("X-Amz-Security-Token=token%2Fwith%2Breserved%3Dchars"))
        #expect(canonical.hasPrefix("GET\n/videos/a%20b.mp4\n"))
        #expect(
            presigned.url.hasPrefix(
                "https://bucket.s3.eu-west-1.amazonaws.com/videos/a%20b.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Security-Token=token%2Fwith%2Breserved%3Dchars&X-Amz-Signature="
            ))
        #expect(presigned.url.hasSuffix(presigned.signature.signature))
    }

    @Test func presignedURLIsThePresignedRequestsURL() throws {
        var credentials = Self.credentials
        credentials.sessionToken = "token/with+reserved=chars"
        for service in ["s3", "service"] {
            let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: service)
            for url in ["https://bucket.s3.eu-west-1.amazonaws.com/videos/a%20b.mp4", "http://127.0.0.1:4566/bucket/./key?uploadId=abc&partNumber=2"] {
                let request = try SigV4Request(method: "PUT", url: url, headers: ["Content-Type": "video/mp4", "X-Amz-Meta-A": " b  c "])
                let presigned = try signer.presign(request, expires: 300, date: Self.date)
                #expect(try signer.presignedURL(request, expires: 300, date: Self.date) == presigned.url)
                // The string to sign, made again on request, is what was signed.
                #expect(presigned.signature.signingKey.signature(for: presigned.signature.stringToSign) == presigned.signature.signature)
            }
        }
    }

    /// A request with no query and no headers of its own takes a one-pass path of its own: it must give the same URL.
    @Test(arguments: ["s3", "service"], [nil, "token/with+reserved=chars"])
    func aBareRequestsPresignedURLIsThePresignedRequestsURL(service: String, token: String?) throws {
        var credentials = Self.credentials
        credentials.sessionToken = token
        for placement in [SigV4Signer.SessionTokenPlacement.signed, .afterSigning] {
            var options = SigV4Signer.Options(service: service)
            options.sessionTokenPlacement = placement
            let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: service, options: options)
            for (host, path) in [
                ("bucket.s3.eu-west-1.amazonaws.com", "/videos/a%20b.mp4"), ("bucket.s3.amazonaws.com", "/"), ("h", ""),
                ("127.0.0.1:4566", "/bucket//./x/../%7Ekey%2fé?"), ("Example.COM", "/a+b/%zz/%41"),
                (" padded host ", "/key"), ("tab\thost", "/key"), ("", "/k"),
            ] {
                for method in ["GET", "PUT"] {
                    let request = SigV4Request(method: method, host: host, path: path)
                    let presigned = try signer.presign(request, expires: 3_600, date: Self.date)
                    #expect(try signer.presignedURL(request, expires: 3_600, date: Self.date) == presigned.url, "\(host) \(path)")
                    #expect(
                        try signer.presignedURL(request, expires: 60, body: .unsigned, date: Self.date)
                            == signer.presign(request, expires: 60, body: .unsigned, date: Self.date).url)
                }
            }
            #expect(throws: SigV4Error.self) {
                try signer.presignedURL(SigV4Request(method: "GET", host: "h", path: "/k"), expires: 604_801, date: Self.date)
            }
        }
    }

    @Test func presignKeepsTheRequestsOwnQueryFirst() throws {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "s3")
        let url = try signer.presign(url: "http://127.0.0.1:4566/bucket/key?partNumber=2&uploadId=abc", method: "PUT", expires: 60, date: Self.date)
        #expect(url.hasPrefix("http://127.0.0.1:4566/bucket/key?partNumber=2&uploadId=abc&X-Amz-Algorithm="))
    }

    // MARK: Header signing

    /// `authorize` writes the canonical request in temporary memory instead of the signature's storage: the request it
    /// leaves must be the one `sign` leaves, whatever the rules, token placement and body.
    @Test(arguments: ["s3", "sqs"])
    func authorizeLeavesTheSameRequestAsSign(service: String) throws {
        var credentials = Self.credentials
        credentials.sessionToken = "token/with+reserved=chars"
        let streaming = try StreamingPayload.signed(decodedLength: 70_000)
        for placement in [SigV4Signer.SessionTokenPlacement.signed, .afterSigning] {
            var options = SigV4Signer.Options(service: service)
            options.sessionTokenPlacement = placement
            let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: service, options: options)
            for body in [SigV4Body.empty, .unsigned, .bytes(Array("{\"a\": 1}".utf8)), .streaming(streaming)] {
                let original = try SigV4Request(
                    method: "POST", url: "https://example.amazonaws.com/a%20b//./c?b=2&a=1",
                    headers: ["Content-Type": "application/json", "X-Amz-Date": "stale", "My-Header": "  x   y "])
                var signed = original
                var authorized = original
                signer.sign(&signed, body: body, date: Self.date)
                signer.authorize(&authorized, body: body, date: Self.date)
                #expect(authorized.headers.map { "\($0.name): \($0.value)" } == signed.headers.map { "\($0.name): \($0.value)" })
                #expect(authorized.headers.first(name: "Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/") == true)
            }
        }
    }

    @Test func s3HeaderSigningAddsContentSHA256AndKeepsThePathAsEncoded() {
        var request = SigV4Request(method: "GET", host: "bucket.s3.amazonaws.com", path: "/a%20b/c%2Bd/../e")
        let signature = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "s3").sign(&request, date: Self.date)
        #expect(request.headers.first(name: "x-amz-content-sha256") == SigV4Body.empty.payloadHash)
        #expect(signature.canonicalRequest.text.hasPrefix("GET\n/a%20b/c%2Bd/../e\n\n"))
        #expect(signature.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
    }

    @Test func otherServicesNormalizeAndDoubleEncodeThePath() {
        var request = SigV4Request(method: "GET", host: "example.amazonaws.com", path: "//a%20b/./c/../d/")
        let signature = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service").sign(&request, date: Self.date)
        #expect(signature.canonicalRequest.text.hasPrefix("GET\n/a%2520b/d/\n\n"))
        #expect(request.headers.first(name: "x-amz-content-sha256") == nil)
    }

    @Test func aDeclaredContentSHA256IsSignedAsThePayloadHash() {
        var request = SigV4Request(method: "PUT", host: "bucket.s3.amazonaws.com", path: "/key", headers: ["x-amz-content-sha256": "UNSIGNED-PAYLOAD"])
        let signature = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "s3")
            .sign(&request, body: .bytes(Array("ignored".utf8)), date: Self.date)
        #expect(signature.canonicalRequest.text.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(request.headers[canonicalForm: "x-amz-content-sha256"].count == 1)
    }

    @Test func resigningReplacesTheOldSignatureHeaders() {
        var request = SigV4Request(method: "POST", host: "sqs.us-east-1.amazonaws.com")
        var credentials = Self.credentials
        credentials.sessionToken = "first"
        SigV4Signer(credentials: credentials, region: "us-east-1", service: "sqs").sign(&request, date: Self.date)
        credentials.sessionToken = "second"
        SigV4Signer(credentials: credentials, region: "us-east-1", service: "sqs").sign(&request, date: Self.date.addingTimeInterval(60))
        #expect(request.headers["Authorization"].count == 1)
        #expect(request.headers["X-Amz-Date"] == ["20150830T123700Z"])
        #expect(request.headers["X-Amz-Security-Token"] == ["second"])
    }

    @Test func sessionTokenAfterSigningIsSentButNotSigned() {
        var credentials = Self.credentials
        credentials.sessionToken = "token"
        var options = SigV4Signer.Options(service: "iotdevicegateway")
        options.sessionTokenPlacement = .afterSigning
        var request = SigV4Request(method: "GET", host: "example.amazonaws.com")
        let signature = SigV4Signer(credentials: credentials, region: "us-east-1", service: "iotdevicegateway", options: options).sign(
            &request, date: Self.date)
        #expect(request.headers.first(name: "X-Amz-Security-Token") == "token")
        #expect(signature.signedHeaders == "host;x-amz-date")
    }

    @Test func hopByHopAndUserAgentHeadersAreNotSigned() {
        var request = SigV4Request(
            method: "GET", host: "example.amazonaws.com",
            headers: ["User-Agent": "videoqueue", "Connection": "keep-alive", "X-Custom": "  a \t  b  "])
        let signature = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service").sign(&request, date: Self.date)
        #expect(signature.signedHeaders == "host;x-amz-date;x-custom")
        #expect(signature.canonicalRequest.text.contains("\nx-custom:a b\n"))
    }

    @Test func repeatedAndMixedCaseHeadersAreJoinedAndSortedByLowerCaseName() {
        var request = SigV4Request(
            method: "GET", host: "example.amazonaws.com",
            headers: [
                "X-Amz-Meta-Long-Header-Name-B": "2", "x-amz-meta-long-header-name-a": "1", "X-AMZ-META-LONG-HEADER-NAME-B": "  3 ",
                "My-Header": "x", "my-header1": "y",
            ])
        let signature = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service").sign(&request, date: Self.date)
        #expect(signature.signedHeaders == "host;my-header;my-header1;x-amz-date;x-amz-meta-long-header-name-a;x-amz-meta-long-header-name-b")
        #expect(signature.canonicalRequest.text.contains("\nmy-header:x\nmy-header1:y\n"))
        #expect(signature.canonicalRequest.text.contains("\nx-amz-meta-long-header-name-a:1\nx-amz-meta-long-header-name-b:2,3\n\n"))
        #expect(signature.signingKey.signature(for: signature.stringToSign) == signature.signature)
        #expect(request.headers.first(name: "Authorization")?.hasSuffix("Signature=\(signature.signature)") == true)
    }

    @Test func queryIsDecodedThenEncodedAndSortedByNameThenValue() {
        var request = SigV4Request(
            method: "GET", host: "example.amazonaws.com", path: "/",
            query: "b=2&a=z&a=%41&c&d=%7e&e=a+b&f=%zz&g=caf%C3%A9&h=%2F")
        let signature = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service").sign(&request, date: Self.date)
        let query = signature.canonicalRequest.text.split(separator: "\n", omittingEmptySubsequences: false)[2]
        #expect(query == "a=A&a=z&b=2&c=&d=~&e=a%2Bb&f=%25zz&g=caf%C3%A9&h=%2F")
    }

    @Test func theHostHeaderIsDerivedFromTheURLWithoutDefaultPorts() throws {
        #expect(try SigV4Request(method: "GET", url: "https://example.com:443/x").host == "example.com")
        #expect(try SigV4Request(method: "GET", url: "http://example.com:80").host == "example.com")
        #expect(try SigV4Request(method: "GET", url: "http://127.0.0.1:4566/q?x=1#frag").host == "127.0.0.1:4566")
        let request = try SigV4Request(method: "GET", url: "http://user@127.0.0.1:4566/q?x=1#frag")
        #expect(request.path == "/q")
        #expect(request.query == "x=1")
        #expect(request.host == "127.0.0.1:4566")
        #expect(throws: SigV4Error.self) { try SigV4Request(method: "GET", url: "example.com/x") }
        #expect(throws: SigV4Error.self) { try SigV4Request(method: "GET", url: "ftp://example.com/x") }
        #expect(throws: SigV4Error.self) { try SigV4Request(method: "GET", url: "http:///x") }
    }

    // MARK: Dates

    @Test func amzDateFormatsAndParsesUTC() throws {
        let date = AMZDate(Self.date)
        #expect(date.timestamp == "20150830T123600Z")
        #expect(date.day == "20150830")
        #expect(AMZDate(Date(timeIntervalSince1970: 0)).timestamp == "19700101T000000Z")
        #expect(AMZDate(Date(timeIntervalSince1970: 951_825_599.9)).timestamp == "20000229T115959Z")
        #expect(AMZDate(Date(timeIntervalSince1970: 4_102_444_800)).timestamp == "21000101T000000Z")
        #expect(AMZDate.parse("2015-08-30T12:36:00Z") == Self.date)
        #expect(AMZDate.parse("20150830T123600Z") == Self.date)
        #expect(AMZDate.parse("2015-08-30T12:36:00.123Z") == Self.date)
        for bad in ["", "2015-08-30", "2015-08-30T12:36:00", "2015-02-30T12:00:00Z", "2015-08-30T25:00:00Z", "20150830T123600", "yyyy-08-30T12:36:00Z"] {
            #expect(AMZDate.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func amzDateAgreesWithFoundationOverManyYears() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: -2_000_000_000...5_000_000_000, using: &generator)))
            #expect(AMZDate(date).timestamp == formatter.string(from: date))
            #expect(AMZDate.parse(AMZDate(date).timestamp) == date)
        }
    }

    // MARK: Signing keys

    @Test func signingKeyMatchesTheAWSDocumentationExample() {
        // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
        let key = SigningKey(secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", day: "20120215", region: "us-east-1", service: "iam").hmac
        // The documented kSigning is f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d; an HMAC of
        // the empty message under it is checked against an independently computed value.
        let reference = HMACKey(key: hexBytes("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"))
        #expect(key.authenticationCode(for: "probe").hexString == reference.authenticationCode(for: "probe").hexString)
    }

    @Test func hmacKeyMatchesRFC4231() {
        // RFC 4231 test case 2 and test case 6 (a key longer than the block size).
        #expect(
            HMACKey(key: "Jefe").authenticationCode(for: "what do ya want for nothing?").hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            HMACKey(key: [UInt8](repeating: 0xAA, count: 131)).authenticationCode(for: "Test Using Larger Than Block-Size Key - Hash Key First").hexString
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// The signer keeps the date, key and encoded credentials of the last (credentials, region, service, second): whatever
    /// changes between two signatures in the same second must still change the signature, and a signer with a key cache
    /// of its own must get its key from there.
    @Test func theLastSigningContextIsReusedOnlyForTheSameCredentialsScopeSecondAndCache() throws {
        let request = SigV4Request(method: "GET", host: "bucket.s3.amazonaws.com", path: "/key")
        func url(
            _ credentials: Credentials, region: String = "us-east-1", service: String = "s3", cache: SigningKeyCache? = nil,
            date: Date = Self.date
        ) throws -> String {
            try SigV4Signer(credentials: credentials, region: region, service: service, keyCache: cache).presignedURL(request, expires: 60, date: date)
        }
        let first = try url(Self.credentials)
        #expect(try url(Self.credentials) == first)
        var otherSecret = Self.credentials
        otherSecret.secretAccessKey += "x"
        var otherKeyID = Self.credentials
        otherKeyID.accessKeyID = "AKIDOTHER"
        var withToken = Self.credentials
        withToken.sessionToken = "token"
        let variants = [
            try url(otherSecret), try url(otherKeyID), try url(withToken), try url(Self.credentials, region: "eu-west-1"),
            try url(Self.credentials, service: "s3express"), try url(Self.credentials, date: Self.date.addingTimeInterval(1)),
        ]
        #expect(Set(variants + [first]).count == variants.count + 1)
        #expect(try url(otherKeyID).contains("X-Amz-Credential=AKIDOTHER%2F"))
        #expect(try url(Self.credentials, date: Self.date.addingTimeInterval(1)).contains("X-Amz-Date=20150830T123601Z"))
        let cache = SigningKeyCache()
        #expect(try url(Self.credentials, cache: cache) == first)
        #expect(cache.count == 1)
    }

    /// A service signs for several scopes in turns (S3 and SQS): each keeps its context, rather than the two evicting each
    /// other at every signature.
    @Test func signingContextsOfScopesUsedInTurnsAreKept() {
        let cache = SigningKeyCache()
        let recent = SigningContext.RecentContexts()  // not the process's: other tests sign meanwhile
        func context(_ service: String) -> SigningContext {
            SigningContext.of(
                date: Self.date, credentials: Self.credentials, region: "us-east-1", service: service, keyCache: cache,
                recent: recent)
        }
        let services = (0..<SigningContext.capacity).map { "service\($0)" }
        let first = services.map(context)
        for _ in 0..<3 {
            for (service, expected) in zip(services, first) { #expect(context(service) === expected) }
        }
        #expect(cache.count == services.count)
        #expect(context("s3").key.credentialScope == "20150830/us-east-1/s3/aws4_request")
    }

    @Test func signingKeyCacheIsSharedSafelyAcrossConcurrentSigners() async {
        let cache = SigningKeyCache(capacity: 8)
        let expected = SigningKey(secretAccessKey: "secret", day: "20261123", region: "us-east-1", service: "sqs").hmac.authenticationCode(for: "x").hexString
        let results = await withTaskGroup(of: String.self, returning: [String].self) { group in
            for index in 0..<400 {
                group.addTask {
                    let region = index % 2 == 0 ? "us-east-1" : "eu-west-\(index % 20)"
                    let key = cache.signingKey(secret: "secret", day: "20261123", region: region, service: "sqs")
                    return region == "us-east-1" ? key.hmac.authenticationCode(for: "x").hexString : expected
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 400)
        #expect(results.allSatisfy { $0 == expected })
        #expect(cache.count <= 8)
    }

    @Test func cachedAndUncachedSignaturesAreIdentical() {
        let cache = SigningKeyCache()
        var first = SigV4Request(method: "GET", host: "example.amazonaws.com")
        var second = first
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service", keyCache: cache)
        let a = signer.sign(&first, date: Self.date)
        #expect(cache.count == 1)
        let b = signer.sign(&second, date: Self.date)
        #expect(a.signature == b.signature)
        #expect(a.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}
