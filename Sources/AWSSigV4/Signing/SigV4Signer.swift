import Crypto
import Foundation
import NIOHTTP1

/// Signs requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`).
///
/// ```swift
/// let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "sqs")
/// var request = try SigV4Request(method: "POST", url: "https://sqs.us-east-1.amazonaws.com/", headers: headers)
/// signer.sign(&request, body: .bytes(body))          // adds X-Amz-Date, Authorization, …
/// let url = try signer.presign(url: objectURL, expires: 3600)
/// ```
///
/// A signer is a value: cheap to create per request from the current credentials. Derived signing keys
/// are shared through a ``SigningKeyCache``.
public struct SigV4Signer: Sendable {
    /// The credentials that sign.
    public var credentials: Credentials
    /// The region of the credential scope, e.g. `us-east-1`.
    public var region: String
    /// The service's signing name, e.g. `s3`, `sqs`, `monitoring`.
    public var service: String
    /// The rules that differ between services.
    public var options: Options
    private let keyCache: SigningKeyCache

    /// The algorithm identifier.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Creates a signer. `options` default to the rules of `service` (S3's own for `s3`).
    public init(credentials: Credentials, region: String, service: String, options: Options? = nil, keyCache: SigningKeyCache = .shared) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options ?? Options(service: service)
        self.keyCache = keyCache
    }

    /// The credential scope: `20150830/us-east-1/service/aws4_request`.
    public func credentialScope(for date: AMZDate) -> String {
        "\(date.day)/\(region)/\(service)/aws4_request"
    }

    // MARK: Header signing

    /// Signs `request` in place with an `Authorization` header.
    ///
    /// Adds `X-Amz-Security-Token` (for temporary credentials), `X-Amz-Date`, `x-amz-content-sha256`
    /// (S3, streaming bodies, or when ``Options/addContentSHA256Header`` is set) and, for a streaming body,
    /// `Content-Encoding: aws-chunked`, `x-amz-decoded-content-length`, `x-amz-trailer` and the framed
    /// `Content-Length`. A payload hash already present in `x-amz-content-sha256` is used as it is.
    ///
    /// - Returns: the signature and its inputs; for a streaming body, ``SigV4Signature/chunkedEncoder()``
    ///   frames and signs the chunks.
    @discardableResult
    public func sign(_ request: inout SigV4Request, body: SigV4Body = .empty, date: Date = Date()) -> SigV4Signature {
        let amzDate = AMZDate(date)
        var body = body
        if case .streaming(let payload) = body {
            Self.addStreamingHeaders(payload, to: &request.headers)
        } else if let declared = request.headers.first(name: "x-amz-content-sha256") {
            body = SigV4Body.hash(declared)
        }
        let payloadHash = body.payloadHash

        request.headers.remove(name: "Authorization")
        if let token = credentials.sessionToken {
            request.headers.replaceOrAdd(name: "X-Amz-Security-Token", value: token)
        }
        request.headers.replaceOrAdd(name: "X-Amz-Date", value: amzDate.timestamp)
        if options.addContentSHA256Header || Self.isStreaming(body), request.headers.first(name: "x-amz-content-sha256") == nil {
            request.headers.add(name: "x-amz-content-sha256", value: payloadHash)
        }

        let tokenAfterSigning = credentials.sessionToken != nil && options.sessionTokenPlacement == .afterSigning
        let headers = CanonicalHeaders(request: request, excluding: options.unsignedHeaderNames,
                                       alsoExcluding: tokenAfterSigning ? CanonicalHeaders.sessionToken : CanonicalHeaders.none)
        let canonical = CanonicalRequest(request: request, rules: options, payloadHash: payloadHash, headers: headers)
        let signature = makeSignature(canonical: canonical, date: amzDate, body: body)
        request.headers.add(name: "Authorization", value: signature.authorization(accessKeyID: credentials.accessKeyID))
        return signature
    }

    // MARK: Presigning

    /// The longest lifetime of a presigned URL: 7 days.
    public static let maximumPresignExpiry = 604_800

    /// Presigns `request` with query parameters, so that it can be sent by anyone without credentials
    /// until `expires` seconds after `date`.
    ///
    /// The URL gets `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
    /// `X-Amz-Expires`, `X-Amz-Security-Token` (temporary credentials) and `X-Amz-Signature`, in that
    /// order after the request's own parameters. The request's headers are signed and must be sent with it.
    ///
    /// - Parameters:
    ///   - body: the payload statement; `nil` means `UNSIGNED-PAYLOAD` for S3 and an empty body otherwise.
    /// - Throws: ``SigV4Error/Code/invalidExpiry`` unless `expires` is within 1 … 604 800 seconds.
    public func presign(_ request: SigV4Request, expires: Int, body: SigV4Body? = nil, date: Date = Date()) throws(SigV4Error) -> PresignedRequest {
        guard (1...Self.maximumPresignExpiry).contains(expires) else {
            throw SigV4Error(code: .invalidExpiry, message: "a presigned URL must expire within 1 to \(Self.maximumPresignExpiry) seconds (7 days), not \(expires)")
        }
        let amzDate = AMZDate(date)
        let body = body ?? (options.addContentSHA256Header ? .unsigned : .empty)
        let headers = CanonicalHeaders(request: request, excluding: options.unsignedHeaderNames, alsoExcluding: CanonicalHeaders.presignParameters)

        var credential = Array(credentials.accessKeyID.utf8)
        credential.append(UInt8(ascii: "/"))
        credential.append(contentsOf: credentialScope(for: amzDate).utf8)
        var parameters: [(name: [UInt8], value: [UInt8])] = [
            (Self.algorithmParameter, Self.algorithmBytes),
            (Self.credentialParameter, credential.withUnsafeBufferPointer { Self.encoded($0) }),
            (Self.dateParameter, Array(amzDate.timestamp.utf8)),
            (Self.signedHeadersParameter, headers.signedHeaders.withUnsafeBufferPointer { Self.encoded($0) }),
            (Self.expiresParameter, Array(String(expires).utf8)),
        ]
        var token: [UInt8] = []
        if let sessionToken = credentials.sessionToken {
            token = URIEncoding.encodedBytes(sessionToken)
            if options.sessionTokenPlacement == .signed { parameters.append((Self.securityTokenParameter, token)) }
        }
        let canonical = CanonicalRequest(request: request, rules: options, payloadHash: body.payloadHash, headers: headers, extraQuery: parameters)
        let signature = makeSignature(canonical: canonical, date: amzDate, body: body)

        // The request's own query first, then the parameters in the order AWS documents them.
        var query: [UInt8] = []
        query.reserveCapacity(request.query.utf8.count + parameters.reduce(token.count + 128) { $0 + $1.name.count + $1.value.count })
        query.append(contentsOf: request.query.utf8)
        for (name, value) in [parameters[0], parameters[1], parameters[2], parameters[3], parameters[4]] {
            if !query.isEmpty { query.append(UInt8(ascii: "&")) }
            query.append(contentsOf: name)
            query.append(UInt8(ascii: "="))
            query.append(contentsOf: value)
        }
        if credentials.sessionToken != nil {
            query.append(contentsOf: "&X-Amz-Security-Token=".utf8)
            query.append(contentsOf: token)
        }
        query.append(contentsOf: "&X-Amz-Signature=".utf8)
        query.append(contentsOf: signature.signature.utf8)
        var presigned = request
        presigned.query = String(decoding: query, as: UTF8.self)
        return PresignedRequest(request: presigned, signature: signature)
    }

    private static let algorithmParameter = Array("X-Amz-Algorithm".utf8)
    private static let algorithmBytes = Array(algorithm.utf8)
    private static let credentialParameter = Array("X-Amz-Credential".utf8)
    private static let dateParameter = Array("X-Amz-Date".utf8)
    private static let signedHeadersParameter = Array("X-Amz-SignedHeaders".utf8)
    private static let expiresParameter = Array("X-Amz-Expires".utf8)
    private static let securityTokenParameter = Array("X-Amz-Security-Token".utf8)

    private static func encoded(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        URIEncoding.append(bytes, keepSlash: false, to: &output)
        return output
    }

    /// Presigns a URL for `method` (GET by default), with no headers beyond `Host`.
    public func presign(url: String, method: String = "GET", expires: Int, date: Date = Date()) throws(SigV4Error) -> String {
        try presign(SigV4Request(method: method, url: url), expires: expires, date: date).url
    }

    // MARK: Internals

    private func makeSignature(canonical: CanonicalRequest, date: AMZDate, body: SigV4Body) -> SigV4Signature {
        let scope = credentialScope(for: date)
        let stringToSign = StringToSign(date: date, credentialScope: scope, canonicalRequest: canonical)
        let key = keyCache.signingKey(secret: credentials.secretAccessKey, day: date.day, region: region, service: service)
        var streaming: StreamingPayload?
        if case .streaming(let payload) = body { streaming = payload }
        return SigV4Signature(signature: key.signature(for: stringToSign), signedHeaders: canonical.signedHeaders, date: date,
                              credentialScope: scope, canonicalRequest: canonical, stringToSign: stringToSign,
                              signingKey: key, streaming: streaming)
    }

    private static func isStreaming(_ body: SigV4Body) -> Bool {
        if case .streaming = body { return true }
        return false
    }

    private static func addStreamingHeaders(_ payload: StreamingPayload, to headers: inout HTTPHeaders) {
        let existingEncoding = headers[canonicalForm: "Content-Encoding"].filter { $0.lowercased() != "aws-chunked" }
        let encoding = (["aws-chunked"] + existingEncoding.map(String.init)).joined(separator: ",")
        headers.replaceOrAdd(name: "Content-Encoding", value: encoding)
        headers.replaceOrAdd(name: "Content-Length", value: String(payload.encodedLength))
        headers.replaceOrAdd(name: "x-amz-decoded-content-length", value: String(payload.decodedLength))
        if case .unsignedWithTrailer(let algorithm) = payload.mode {
            headers.replaceOrAdd(name: "x-amz-trailer", value: algorithm.headerName)
        }
        headers.replaceOrAdd(name: "x-amz-content-sha256", value: payload.mode.contentSHA256)
    }
}
