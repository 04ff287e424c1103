import AWSSigV4
import Foundation
import NIOHTTP1
import SigV4CLI
import TestSupport
import Testing

/// The signer's fast path against ``ReferenceSigV4``, the reference written from the AWS documentation: the official test
/// suite's cases and a few thousand seeded random requests, in both forms (header and presigned), compared on the canonical
/// request, the string to sign, the signature and what the signer adds to the request (headers, URL).
@Suite struct ReferenceOracleTests {
    /// The reference for `signer`'s credentials, scope and rules.
    static func reference(_ signer: SigV4Signer) -> ReferenceSigV4 {
        ReferenceSigV4(
            accessKeyID: signer.credentials.accessKeyID, secretAccessKey: signer.credentials.secretAccessKey,
            sessionToken: signer.credentials.sessionToken, region: signer.region, service: signer.service, options: signer.options)
    }

    /// Signs `request` both ways (``SigV4Signer/sign(_:body:date:)`` and ``SigV4Signer/authorize(_:body:date:)``) and checks
    /// them against the reference; `context` names the case in failures. Returns whether they all agree.
    static func compareHeaderForm(
        _ signer: SigV4Signer, _ request: SigV4Request, body: SigV4Body, date: Date,
        _ context: @autoclosure () -> String
    ) -> Bool {
        let expected = reference(signer).signWithHeaders(request, payloadHash: body.payloadHash, date: date)
        var signed = request
        let signature = signer.sign(&signed, body: body, date: date)
        var authorized = request
        signer.authorize(&authorized, body: body, date: date)
        let headers = signed.headers.map { "\($0.name): \($0.value)" }
        let results = [
            signature.canonicalRequest.text == expected.canonicalRequest,
            signature.stringToSign.text == expected.stringToSign,
            signature.signature == expected.signature,
            signature.signedHeaders == expected.signedHeaders,
            headers == expected.headers.map { "\($0.name): \($0.value)" },
            authorized.headers.map { "\($0.name): \($0.value)" } == headers,
        ]
        #expect(signature.canonicalRequest.text == expected.canonicalRequest, "\(context())")
        #expect(signature.stringToSign.text == expected.stringToSign, "\(context())")
        #expect(signature.signature == expected.signature, "\(context())")
        #expect(signature.signedHeaders == expected.signedHeaders, "\(context())")
        #expect(headers == expected.headers.map { "\($0.name): \($0.value)" }, "\(context())")
        #expect(authorized.headers.map { "\($0.name): \($0.value)" } == headers, "\(context())")
        return results.allSatisfy { $0 }
    }

    /// Presigns `request` both ways (``SigV4Signer/presign(_:expires:body:date:)`` and
    /// ``SigV4Signer/presignedURL(_:expires:body:date:)``) and checks them against the reference.
    static func comparePresigned(
        _ signer: SigV4Signer, _ request: SigV4Request, expires: Int, body: SigV4Body?, date: Date,
        _ context: @autoclosure () -> String
    ) throws -> Bool {
        let expected = reference(signer).presign(request, expires: expires, payloadHash: body?.payloadHash, date: date)
        let presigned = try signer.presign(request, expires: expires, body: body, date: date)
        let url = try signer.presignedURL(request, expires: expires, body: body, date: date)
        let results = [
            presigned.signature.canonicalRequest.text == expected.canonicalRequest,
            presigned.signature.stringToSign.text == expected.stringToSign,
            presigned.signature.signature == expected.signature,
            presigned.url == expected.url,
            url == expected.url,
            presigned.request.url == expected.url,
        ]
        #expect(presigned.signature.canonicalRequest.text == expected.canonicalRequest, "\(context())")
        #expect(presigned.signature.stringToSign.text == expected.stringToSign, "\(context())")
        #expect(presigned.signature.signature == expected.signature, "\(context())")
        #expect(presigned.url == expected.url, "\(context())")
        #expect(url == expected.url, "\(context())")
        #expect(presigned.request.url == expected.url, "\(context())")
        return results.allSatisfy { $0 }
    }

    // MARK: The official test suite

    @Test func theReferenceAndTheFastPathAgreeWithEveryCaseOfTheOfficialSuite() throws {
        #expect(TestData.sigV4CaseNames.count == 38, "expected the 38 cases of the AWS SigV4 test suite at \(TestData.sigV4Suite.path)")
        for caseName in TestData.sigV4CaseNames {
            let raw = try RawHTTPRequest(contentsOf: TestData.sigV4Suite.appendingPathComponent("\(caseName)/request.txt").path)
            let context = try TestSuiteContext(contentsOf: TestData.sigV4Suite.appendingPathComponent("\(caseName)/context.json").path)
            let request = try raw.sigV4Request()
            let signer = context.signer
            let reference = Self.reference(signer)
            func file(_ name: String) throws -> String { try TestData.sigV4File(caseName, name) }
            func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

            // The reference itself is right: it signs as the suite says.
            let header = reference.signWithHeaders(request, payloadHash: SigV4Body.bytes(raw.body).payloadHash, date: context.timestamp)
            #expect(header.canonicalRequest == (try file("header-canonical-request.txt")), "\(caseName)")
            #expect(header.stringToSign == (try file("header-string-to-sign.txt")), "\(caseName)")
            #expect(header.signature == trimmed(try file("header-signature.txt")), "\(caseName)")
            let body: SigV4Body = context.service == "s3" ? .unsigned : .bytes(raw.body)
            let query = reference.presign(request, expires: context.expirationInSeconds, payloadHash: body.payloadHash, date: context.timestamp)
            #expect(query.canonicalRequest == (try file("query-canonical-request.txt")), "\(caseName)")
            #expect(query.stringToSign == (try file("query-string-to-sign.txt")), "\(caseName)")
            #expect(query.signature == trimmed(try file("query-signature.txt")), "\(caseName)")

            // The fast path agrees with it.
            _ = Self.compareHeaderForm(signer, request, body: .bytes(raw.body), date: context.timestamp, "\(caseName) (header form)")
            _ = try Self.comparePresigned(
                signer, request, expires: context.expirationInSeconds, body: body, date: context.timestamp,
                "\(caseName) (query form)")
        }
    }

    // MARK: Random requests

    /// The number of random requests, each signed in both forms.
    static let randomCount = 3_000

    @Test func theFastPathAgreesWithTheReferenceOnRandomRequests() throws {
        let seed = ProcessInfo.processInfo.environment["VIDEOQUEUE_SIGV4_ORACLE_SEED"].flatMap { UInt64($0) } ?? 20_261_203
        var generator = RandomRequests(seed: seed)
        var failures = 0
        for index in 0..<Self.randomCount {
            let random = generator.next()
            let context = "seed \(seed), request \(index): \(random)"
            if !Self.compareHeaderForm(random.signer, random.request, body: random.body, date: random.date, context) { failures += 1 }
            if !(try Self.comparePresigned(
                random.signer, random.request, expires: random.expires, body: random.presignBody, date: random.date,
                context))
            {
                failures += 1
            }
            if failures >= 10 { break }  // the first few tell the story
        }
        guard failures < 10 else { return }
        // The generator covers what it is meant to: S3 and other services, session tokens, requests with nothing but a path.
        #expect(generator.stats.s3 > Self.randomCount / 5 && generator.stats.other > Self.randomCount / 5)
        #expect(generator.stats.token > Self.randomCount / 5 && generator.stats.bare > Self.randomCount / 20)
    }
}

/// A seeded generator of awkward requests: methods, S3 and other services, paths with unicode, reserved characters,
/// percent-encodings valid and not, `..`, `.` and `//`; queries with repeated names, empty values and reserved
/// characters; headers in odd case, with odd spacing, repeated; session tokens signed and not.
struct RandomRequests {
    struct Request: CustomStringConvertible {
        var signer: SigV4Signer
        var request: SigV4Request
        var body: SigV4Body
        var presignBody: SigV4Body?
        var expires: Int
        var date: Date

        var description: String {
            "\(signer.service) \(signer.options.sessionTokenPlacement) token=\(signer.credentials.sessionToken != nil) "
                + "\(request.method) \(request.url.debugDescription) headers \(request.headers.map { "\($0.name): \($0.value)" }.debugDescription) "
                + "body \(body) presign body \(String(describing: presignBody)) at \(date.timeIntervalSince1970)"
        }
    }

    struct Stats {
        var s3 = 0, other = 0, token = 0, bare = 0
    }

    var random: SeededGenerator
    var stats = Stats()

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    static let methods = ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"]
    static let services = ["s3", "s3", "s3express", "sqs", "service", "execute-api", "monitoring"]
    static let hosts = [
        "example.amazonaws.com", "bucket.s3.us-east-1.amazonaws.com", "127.0.0.1:4566", "sqs.eu-central-1.amazonaws.com",
        "Mixed.Case.Example.com", "localhost:9000",
    ]
    static let pathSegments = [
        "a", "b", "videos", "key.mp4", "", ".", "..", "...", "a%20b", "a b", "%2F", "%2f", "%41", "%7E", "%7e", "~", "%25", "%", "%zz", "%4",
        "é", "%C3%A9", "日本", "%E6%97%A5", "a+b", "!$&'()*,;=:@", "[x]", "%00", "emoji😀", "-_.", "%2E%2E", "a;b=c", "%3F",
    ]
    static let queryNames = [
        "a", "A", "b", "key", "list-type", "prefix", "x-id", "%E2%82%AC", "€", "a%20b", "a b", "a+b", "", "*", "%2F",
        "X-Amz-Meta", "~", "%zz",
    ]
    static let queryValues = ["", "1", "2", "v", "a%20b", "a b", "%2F", "/", "=", "?", "%zz", "~", "é", "%C3%A9", "+", "a=b", "%", "*", ":"]
    static let headerNames = [
        "X-Amz-Meta-Foo", "x-amz-meta-foo", "X-AMZ-META-FOO", "Content-Type", "content-type", "My-Header", "Range",
        "X-Forwarded-For", "User-Agent", "Expect", "x-amz-meta-b", "X-Amz-Meta-A", "Zz", "a", "Accept",
        "X-Amz-Date", "Authorization", "X-Amz-Security-Token", "Content-MD5", "x-amz-storage-class",
    ]
    static let headerValues = [
        "v", "  leading", "trailing  ", "  both  ", "a   b", "a \t b", "\tx\t", "a\r\n b", "", "   ", "v,w", "ünï",
        "UPPER lower", "a  b  c  d", "text/plain; charset=utf-8", "bytes=0-99", "\"quoted  value\"",
    ]

    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func next() -> Request {
        let service = pick(Self.services)
        var options = SigV4Signer.Options(service: service)
        if chance(10) { options.sessionTokenPlacement = .afterSigning }
        if !service.hasPrefix("s3"), chance(20) { options.normalizePath = false }  // as the suite's "normalize": false cases
        let token = chance(50) ? "AQoDYXdzEJr//+token=\(Int.random(in: 0..<1_000_000, using: &random))/a b%20" : nil
        let credentials = Credentials(
            accessKeyID: pick(["AKIDEXAMPLE", "AKIA0123456789"]), secretAccessKey: pick(["wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "s3cr3t"]),
            sessionToken: token)
        let signer = SigV4Signer(
            credentials: credentials, region: pick(["us-east-1", "eu-central-1", "ap-southeast-2"]), service: service,
            options: options)

        let bare = chance(15)
        var path = ""
        for _ in 0..<Int.random(in: 0...5, using: &random) { path += "/" + pick(Self.pathSegments) }
        if chance(20) { path += "/" }
        if path.isEmpty || chance(5) { path = pick(["/", "", path.isEmpty ? "/" : path]) }
        if path.isEmpty { path = "/" }
        var components: [String] = []
        if !bare {
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                let name = components.isEmpty || !chance(30) ? pick(Self.queryNames) : String(components.last!.split(separator: "=").first ?? "")
                switch Int.random(in: 0..<4, using: &random) {
                case 0: components.append(name)
                case 1: components.append("\(name)=")
                default: components.append("\(name)=\(pick(Self.queryValues))")
                }
            }
        }
        var headers = HTTPHeaders()
        if !bare {
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let name = pick(Self.headerNames)
                if name == "x-amz-content-sha256" { continue }
                headers.add(name: name, value: pick(Self.headerValues))
            }
            if chance(10) { headers.add(name: pick(["Host", "host", "HOST"]), value: pick(["example.amazonaws.com", " spaced.example.com "])) }
            if chance(10) { headers.add(name: "x-amz-content-sha256", value: pick(["UNSIGNED-PAYLOAD", ReferenceSigV4.sha256Hex(Array("x".utf8))])) }
        }
        let request = SigV4Request(
            method: pick(Self.methods), scheme: pick(["https", "http"]), host: pick(Self.hosts), path: path,
            query: components.joined(separator: "&"), headers: headers)

        let bodyBytes = (0..<pick([0, 0, 1, 17, 100])).map { _ in UInt8.random(in: 0...255, using: &random) }
        let body: SigV4Body =
            switch Int.random(in: 0..<4, using: &random) {
            case 0: .unsigned
            case 1: .hash(ReferenceSigV4.sha256Hex(bodyBytes))
            default: .bytes(bodyBytes)
            }
        let presignBody: SigV4Body? = chance(50) ? nil : pick([SigV4Body.unsigned, .bytes(bodyBytes), .empty])
        let date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 1_420_070_400...1_924_992_000, using: &random)))
        let expires = pick([1, 60, 900, 3600, 86_400, 604_800, Int.random(in: 1...604_800, using: &random)])

        if service.hasPrefix("s3") { stats.s3 += 1 } else { stats.other += 1 }
        if token != nil { stats.token += 1 }
        if request.query.isEmpty && request.headers.isEmpty { stats.bare += 1 }
        return Request(signer: signer, request: request, body: body, presignBody: presignBody, expires: expires, date: date)
    }
}
