import AWSSigV4
import Foundation
import NIOHTTP1
import Testing

/// Differential test: a few hundred random requests (methods, services, unicode and reserved characters in
/// paths and queries, headers with odd spacing, bodies, session tokens) signed by botocore, an independent
/// implementation, and by our signer; both forms must agree byte for byte.
///
/// `Scripts/botocore_reference.py` generates the requests inside the region where botocore follows the
/// official rules (see its docstring). It needs `python3` with botocore (`VIDEOQUEUE_PYTHON` overrides the
/// interpreter); the test fails, rather than skips, when it cannot run.
@Suite struct BotocoreDifferentialTests {
    struct Case: Decodable {
        struct HeaderForm: Decodable {
            var canonical_request: String
            var string_to_sign: String
            var signature: String
            var authorization: String
        }
        struct QueryForm: Decodable {
            var canonical_request: String
            var string_to_sign: String
            var signature: String
            var url: String
        }
        var id: Int
        var service: String
        var region: String
        var method: String
        var scheme: String
        var host: String
        var path: String
        var query: String
        var headers: [[String]]
        var body_base64: String
        var timestamp: String
        var access_key_id: String
        var secret_access_key: String
        var session_token: String?
        var expires: Int
        var header_form: HeaderForm
        var query_form: QueryForm?
    }

    static func referenceCases(count: Int, seed: UInt32) throws -> [Case] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/botocore_reference.py")
        let python = ProcessInfo.processInfo.environment["VIDEOQUEUE_PYTHON"] ?? "python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script.path, "--count", String(count), "--seed", String(seed)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(
                .executableLoad, userInfo: [NSLocalizedDescriptionKey: "botocore reference script failed (is botocore installed for \(python)?): \(errorText)"])
        }
        return try JSONDecoder().decode([Case].self, from: data)
    }

    private func request(for reference: Case) -> SigV4Request {
        var headers = HTTPHeaders()
        for header in reference.headers where header.count == 2 { headers.add(name: header[0], value: header[1]) }
        return SigV4Request(
            method: reference.method, scheme: reference.scheme, host: reference.host,
            path: reference.path, query: reference.query, headers: headers)
    }

    private func signer(for reference: Case) -> SigV4Signer {
        SigV4Signer(
            credentials: Credentials(
                accessKeyID: reference.access_key_id, secretAccessKey: reference.secret_access_key,
                sessionToken: reference.session_token),
            region: reference.region, service: reference.service)
    }

    /// The query parameters of a URL as a sorted list, with `k` written as `k=` (botocore re-serializes them so).
    private func queryItems(_ url: String) -> [String] {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return [] }
        return query.split(separator: "&").map { $0.contains("=") ? String($0) : "\($0)=" }.sorted()
    }

    @Test func headerAndQuerySignaturesAgreeWithBotocoreOnRandomRequests() throws {
        let seed = UInt32.random(in: 1...UInt32.max)
        let cases = try Self.referenceCases(count: 300, seed: seed)
        #expect(cases.count == 300)
        var presignedCount = 0
        for reference in cases {
            let context = "seed \(seed), case \(reference.id) (\(reference.service) \(reference.method) \(reference.path)?\(reference.query))"
            let date = try #require(AMZDate.parse(reference.timestamp))
            let body = SigV4Body.bytes(Data(base64Encoded: reference.body_base64) ?? Data())

            var signed = request(for: reference)
            let signature = signer(for: reference).sign(&signed, body: body, date: date)
            #expect(signature.canonicalRequest.text == reference.header_form.canonical_request, "\(context)")
            #expect(signature.stringToSign.text == reference.header_form.string_to_sign, "\(context)")
            #expect(signature.signature == reference.header_form.signature, "\(context)")
            #expect(signed.headers.first(name: "Authorization") == reference.header_form.authorization, "\(context)")
            var authorized = request(for: reference)
            signer(for: reference).authorize(&authorized, body: body, date: date)
            #expect(authorized.headers.map { "\($0.name): \($0.value)" } == signed.headers.map { "\($0.name): \($0.value)" }, "\(context)")

            guard let queryForm = reference.query_form else { continue }
            presignedCount += 1
            let presigned = try signer(for: reference).presign(
                request(for: reference), expires: reference.expires,
                body: reference.service == "s3" ? .unsigned : body, date: date)
            #expect(presigned.signature.canonicalRequest.text == queryForm.canonical_request, "\(context)")
            #expect(presigned.signature.stringToSign.text == queryForm.string_to_sign, "\(context)")
            #expect(presigned.signature.signature == queryForm.signature, "\(context)")
            #expect(queryItems(presigned.url) == queryItems(queryForm.url), "\(context)")
            #expect(
                try signer(for: reference).presignedURL(
                    request(for: reference), expires: reference.expires,
                    body: reference.service == "s3" ? .unsigned : body, date: date) == presigned.url, "\(context)")
        }
        #expect(presignedCount > 50, "the generator should produce presigned cases too (seed \(seed))")
    }
}
