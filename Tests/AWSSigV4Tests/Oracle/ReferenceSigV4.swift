import AWSSigV4
import Crypto
import Foundation

/// A reference implementation of AWS Signature Version 4, written straight from the AWS documentation
/// ("Create a signed AWS API request", "Authenticating requests: Using query parameters" for S3) for the tests to
/// check the signer's hand-optimised fast path against (`Sources/AWSSigV4/Signing/README.md`).
///
/// Readable over fast: strings and arrays, one step per rule of the documentation, nothing shared with the code it
/// checks (only swift-crypto's SHA-256 and HMAC). It takes the request in the signer's wire form (``SigV4Request``:
/// the path and query as they go on the request line) and the signer's ``SigV4Signer/Options``, and states what the
/// signer documents it does: which headers it adds, which it signs, what goes into the presigned URL.
struct ReferenceSigV4 {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?
    var region: String
    var service: String
    var options: SigV4Signer.Options

    /// The outcome of signing a request.
    struct Signed {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var signedHeaders: String
        /// Header form: the request's headers after signing, `Authorization` last.
        var headers: [(name: String, value: String)] = []
        /// Query form: the presigned URL.
        var url: String = ""
    }

    // MARK: Step 1: the canonical request

    /// URI-encodes every byte except the unreserved characters `A-Z a-z 0-9 - _ . ~` (and `/` when `keepSlash`), as `%XY` with
    /// upper-case hex digits.
    static func uriEncode(_ bytes: [UInt8], keepSlash: Bool) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8)
        var result = ""
        for byte in bytes {
            if unreserved.contains(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                result.append(Character(Unicode.Scalar(byte)))
            } else {
                result += "%" + hex(byte, upperCase: true)
            }
        }
        return result
    }

    static func uriEncode(_ text: String, keepSlash: Bool = false) -> String {
        uriEncode(Array(text.utf8), keepSlash: keepSlash)
    }

    /// Decodes `%XY` (hex digits in either case); a `%` without two hex digits after it is a plain `%`. `+` is a plain `+`:
    /// SigV4 does not read it as a space.
    static func percentDecode(_ text: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(text)
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                result.append(high * 16 + low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    /// The value of a hex digit `0-9 a-f A-F`.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Two hex digits, `upperCase` or lower.
    static func hex(_ byte: UInt8, upperCase: Bool) -> String {
        let digits = String(byte, radix: 16, uppercase: upperCase)
        return digits.count == 1 ? "0" + digits : digits
    }

    /// Removes empty, `.` and `..` segments; a trailing slash stays; nothing left is `/`.
    static func normalize(_ path: String) -> String {
        var segments: [String] = []
        for segment in Array(path.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            switch String(decoding: segment, as: UTF8.self) {
            case "", ".": continue
            case "..": _ = segments.popLast()
            case let name: segments.append(name)
            }
        }
        if segments.isEmpty { return "/" }
        return "/" + segments.joined(separator: "/") + (path.hasSuffix("/") ? "/" : "")
    }

    /// The canonical URI of the wire `path`. Every service but S3: normalized, then the (already encoded) path encoded
    /// once more. S3: not normalized and not encoded twice: the object key (the path decoded) encoded once.
    func canonicalURI(_ path: String) -> String {
        if path.isEmpty || path == "/" { return "/" }
        var path = path
        if options.normalizePath { path = Self.normalize(path) }
        if options.doubleEncodePath { return Self.uriEncode(path, keepSlash: true) }
        return Self.uriEncode(Self.percentDecode(path.utf8), keepSlash: true)
    }

    /// The canonical query of the wire `query` and `extra` parameters (not encoded yet): every name and value
    /// URI-encoded, sorted by encoded name, then by encoded value; `name=value` joined with `&`; a name without a
    /// value has an empty value.
    static func canonicalQuery(_ query: String, extra: [(String, String)] = []) -> String {
        var pairs: [(name: String, value: String)] = []
        for component in Array(query.utf8).split(separator: UInt8(ascii: "&")) {
            let parts = component.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = uriEncode(percentDecode(parts[0]), keepSlash: false)
            let value = parts.count == 2 ? uriEncode(percentDecode(parts[1]), keepSlash: false) : ""
            pairs.append((name, value))
        }
        for (name, value) in extra {
            pairs.append((uriEncode(name), uriEncode(value)))
        }
        pairs.sort {
            Array($0.name.utf8).lexicographicallyPrecedes($1.name.utf8)
                || ($0.name == $1.name && Array($0.value.utf8).lexicographicallyPrecedes($1.value.utf8))
        }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// A header value trimmed, with each run of whitespace (space, tab, CR, LF: a line fold too) inside it one space.
    static func trimmed(_ value: String) -> String {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
        return Array(value.utf8).split(whereSeparator: whitespace.contains).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// The canonical headers block (each `name:value\n`) and the signed header names (`;`-separated): names lower-cased,
    /// values trimmed, the values of a repeated name joined with `,` in request order, sorted by name; `host` from
    /// `host` when the headers have none; the headers named in `excluded` left out.
    static func canonicalHeaders(
        _ headers: [(name: String, value: String)], host: String,
        excluded: Set<String>
    ) -> (block: String, signedHeaders: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let name = name.lowercased()
            if excluded.contains(name) { continue }
            values[name, default: []].append(trimmed(value))
        }
        if values["host"] == nil { values["host"] = [trimmed(host)] }
        let names = values.keys.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// The six lines of the canonical request.
    static func canonicalRequest(
        method: String, uri: String, query: String, headersBlock: String, signedHeaders: String,
        payloadHash: String
    ) -> String {
        [method, uri, query, headersBlock, signedHeaders, payloadHash].joined(separator: "\n")
    }

    // MARK: Step 2: the string to sign

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    func credentialScope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { hex($0, upperCase: false) }.joined()
    }

    func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        ["AWS4-HMAC-SHA256", timestamp, credentialScope(timestamp), Self.sha256Hex(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    // MARK: Step 3: the signature

    static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
    func signingKey(day: String) -> [UInt8] {
        let date = Self.hmac(Array("AWS4\(secretAccessKey)".utf8), day)
        let region = Self.hmac(date, region)
        let service = Self.hmac(region, service)
        return Self.hmac(service, "aws4_request")
    }

    func signature(stringToSign: String, timestamp: String) -> String {
        Self.hmac(signingKey(day: String(timestamp.prefix(8))), stringToSign).map { Self.hex($0, upperCase: false) }.joined()
    }

    // MARK: The two forms

    /// Signs with an `Authorization` header, as ``SigV4Signer/sign(_:body:date:)`` documents: `Authorization` and
    /// `X-Amz-Date` replaced, `X-Amz-Security-Token` replaced when there is a token; then added, in this order,
    /// `X-Amz-Security-Token`, `X-Amz-Date` and (S3, or a request that states no payload hash) `x-amz-content-sha256`.
    /// A payload hash the request states in `x-amz-content-sha256` is the one signed.
    func signWithHeaders(_ request: SigV4Request, payloadHash bodyHash: String, date: Date) -> Signed {
        let timestamp = Self.timestamp(date)
        var headers: [(name: String, value: String)] = []
        var stated: String?
        for (name, value) in request.headers {
            switch name.lowercased() {
            case "authorization", "x-amz-date": continue
            case "x-amz-security-token" where sessionToken != nil: continue
            case "x-amz-content-sha256": stated = stated ?? value
            default: break
            }
            headers.append((name, value))
        }
        let payloadHash = stated ?? bodyHash
        if let sessionToken { headers.append(("X-Amz-Security-Token", sessionToken)) }
        headers.append(("X-Amz-Date", timestamp))
        if options.addContentSHA256Header, stated == nil { headers.append(("x-amz-content-sha256", payloadHash)) }

        var excluded = options.unsignedHeaders
        if sessionToken != nil, options.sessionTokenPlacement == .afterSigning { excluded.insert("x-amz-security-token") }
        let (block, signedHeaders) = Self.canonicalHeaders(headers, host: request.host, excluded: excluded)
        let canonical = Self.canonicalRequest(
            method: request.method, uri: canonicalURI(request.path), query: Self.canonicalQuery(request.query),
            headersBlock: block, signedHeaders: signedHeaders, payloadHash: payloadHash)
        let toSign = stringToSign(canonicalRequest: canonical, timestamp: timestamp)
        let signature = signature(stringToSign: toSign, timestamp: timestamp)
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(credentialScope(timestamp)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        headers.append(("Authorization", authorization))
        return Signed(canonicalRequest: canonical, stringToSign: toSign, signature: signature, signedHeaders: signedHeaders, headers: headers)
    }

    /// Presigns, as ``SigV4Signer/presign(_:expires:body:date:)`` documents: the request's headers signed except the
    /// unsigned ones and those whose values travel in the query (`X-Amz-Date`, `X-Amz-Security-Token`,
    /// `x-amz-content-sha256`); the parameters `X-Amz-Algorithm`, `-Credential`, `-Date`, `-SignedHeaders`, `-Expires`,
    /// `-Security-Token` (signed unless the token goes after signing) and `-Signature` appended to the request's query
    /// in that order. The payload hash is `UNSIGNED-PAYLOAD` for S3 and an empty body's otherwise, unless stated.
    func presign(_ request: SigV4Request, expires: Int, payloadHash stated: String?, date: Date) -> Signed {
        let timestamp = Self.timestamp(date)
        let payloadHash = stated ?? (options.addContentSHA256Header ? "UNSIGNED-PAYLOAD" : Self.sha256Hex([]))
        let excluded = options.unsignedHeaders.union(["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"])
        let (block, signedHeaders) = Self.canonicalHeaders(request.headers.map { ($0.name, $0.value) }, host: request.host, excluded: excluded)
        var parameters = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(accessKeyID)/\(credentialScope(timestamp))"),
            ("X-Amz-Date", timestamp),
            ("X-Amz-SignedHeaders", signedHeaders),
            ("X-Amz-Expires", String(expires)),
        ]
        let tokenSigned = options.sessionTokenPlacement == .signed
        if let sessionToken, tokenSigned { parameters.append(("X-Amz-Security-Token", sessionToken)) }
        let canonical = Self.canonicalRequest(
            method: request.method, uri: canonicalURI(request.path),
            query: Self.canonicalQuery(request.query, extra: parameters),
            headersBlock: block, signedHeaders: signedHeaders, payloadHash: payloadHash)
        let toSign = stringToSign(canonicalRequest: canonical, timestamp: timestamp)
        let signature = signature(stringToSign: toSign, timestamp: timestamp)
        if let sessionToken, !tokenSigned { parameters.append(("X-Amz-Security-Token", sessionToken)) }
        parameters.append(("X-Amz-Signature", signature))
        let query = (request.query.isEmpty ? [] : [request.query]) + parameters.map { "\($0.0)=\(Self.uriEncode($0.1))" }
        let url = "\(request.scheme)://\(request.host)\(request.path)?\(query.joined(separator: "&"))"
        return Signed(canonicalRequest: canonical, stringToSign: toSign, signature: signature, signedHeaders: signedHeaders, url: url)
    }
}
