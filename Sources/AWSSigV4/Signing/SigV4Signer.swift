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
    /// The cache of signing keys; `nil` for ``SigningKeyCache/shared``, looked up when a key is needed (a signer made per
    /// request then holds no reference to it).
    private let keyCache: SigningKeyCache?

    /// The algorithm identifier.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Creates a signer. `options` default to the rules of `service` (S3's own for `s3`), `keyCache` to
    /// ``SigningKeyCache/shared``.
    public init(credentials: Credentials, region: String, service: String, options: Options? = nil, keyCache: SigningKeyCache? = nil) {
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
        guard let signature = signHeaders(&request, body: body, date: date, keepingSignature: true) else {
            preconditionFailure("signHeaders(keepingSignature: true) returns the signature")
        }
        return signature
    }

    /// Signs `request` in place exactly as ``sign(_:body:date:)`` does, without keeping the signature's inputs: the
    /// canonical request is written in temporary memory (the lean form for callers that only send the request).
    ///
    /// A streaming body's chunks are signed from the seed signature, which ``sign(_:body:date:)`` returns: with one, call
    /// that instead.
    public func authorize(_ request: inout SigV4Request, body: SigV4Body = .empty, date: Date = Date()) {
        signHeaders(&request, body: body, date: date, keepingSignature: false)
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
        let (url, queryOffset, signature) = try presigned(request, expires: expires, body: body, date: date, keepingSignature: true)
        guard let signature else { preconditionFailure("presigned(keepingSignature: true) returns the signature") }
        return PresignedRequest(unsigned: request, url: url, queryOffset: queryOffset, signature: signature)
    }

    /// The presigned URL of `request`: what ``presign(_:expires:body:date:)`` returns as ``PresignedRequest/url``, without
    /// keeping the signature's inputs (the lean form for callers that only hand out the URL).
    ///
    /// - Throws: ``SigV4Error/Code/invalidExpiry`` unless `expires` is within 1 … 604 800 seconds.
    public func presignedURL(_ request: SigV4Request, expires: Int, body: SigV4Body? = nil, date: Date = Date()) throws(SigV4Error) -> String {
        if request.query.isEmpty, request.headers.isEmpty, CanonicalHeaders.isPlain(request.host) {
            return try presignedBareURL(request, expires: expires, body: body, date: date)
        }
        return try presigned(request, expires: expires, body: body, date: date, keepingSignature: false).url
    }

    /// What every presigned request needs besides the request: the date, payload hash, signing key and parameters.
    private func presignInputs(expires: Int, body: SigV4Body?, date: Date) throws(SigV4Error)
        -> (date: AMZDate, payloadHash: String, key: SigningKey, query: PresignQuery) {
        guard (1...Self.maximumPresignExpiry).contains(expires) else {
            throw SigV4Error(code: .invalidExpiry, message: "a presigned URL must expire within 1 to \(Self.maximumPresignExpiry) seconds (7 days), not \(expires)")
        }
        let context = signingContext(for: date)
        let amzDate = context.date, key = context.key
        let payloadHash = (body ?? (options.addContentSHA256Header ? .unsigned : .empty)).payloadHash
        let query = PresignQuery(encoded: context.encoded, timestamp: amzDate.timestamp, expires: expires,
                                 tokenSigned: options.sessionTokenPlacement == .signed)
        return (amzDate, payloadHash, key, query)
    }

    /// The presigned URL of a request with no query and no headers of its own, to a host that needs no trimming (an
    /// object's GET or PUT URL, what S3Client hands out): its canonical request is written in one pass into temporary
    /// memory, method, URI, parameters, `host:…`, `host`, payload hash, and the signature after it.
    private func presignedBareURL(_ request: SigV4Request, expires: Int, body: SigV4Body?, date: Date) throws(SigV4Error) -> String {
        let (amzDate, payloadHash, key, query) = try presignInputs(expires: expires, body: body, date: date)
        let capacity = CanonicalRequest.prefixSize(request, nil) + query.canonicalSize(signedHeaders: 4) + request.host.utf8.count + 16
            + payloadHash.utf8.count + 64
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var output = ByteWriter(buffer)
            var segments = PresignQuery.Segments()
            CanonicalRequest.writePrefix(request, nil, rules: options, to: &output) { output in
                segments = ("host" as StaticString).withUTF8Buffer { query.writeCanonical(signedHeaders: $0, to: &output) }
            }
            CanonicalHeaders.writeHostOnly(request.host, to: &output)
            output.write(UInt8(ascii: "\n"))
            output.write(payloadHash)
            let canonical = output.written
            let signature = UnsafeMutableBufferPointer(start: output.claim(64), count: 64)
            Hex.write(key.sign(canonicalRequest: canonical, timestamp: amzDate.timestamp), to: signature)
            return Self.presignedURL(request, query: query, segments: segments, source: canonical, signature: UnsafeBufferPointer(signature),
                                     signedHeadersCount: 4).0
        }
    }

    /// Presigns `request`: the URL, where its query starts, and the signature with its inputs when `keepingSignature`
    /// (otherwise the canonical request is written in temporary memory).
    private func presigned(_ request: SigV4Request, expires: Int, body: SigV4Body?, date: Date, keepingSignature: Bool)
        throws(SigV4Error) -> (url: String, queryOffset: Int, signature: SigV4Signature?) {
        let (amzDate, payloadHash, key, query) = try presignInputs(expires: expires, body: body, date: date)
        let sizes = CanonicalHeaders.Sizes(request)
        // The canonical headers go in temporary (stack) memory: the query's X-Amz-SignedHeaders needs their names
        // before the canonical request, which holds both, is written.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: sizes.output) { buffer in
            var headerWriter = ByteWriter(buffer)
            let signedRange = CanonicalHeaders.write(request: request, excluding: options.unsignedHeaderNames,
                                                     alsoExcluding: CanonicalHeaders.presignParameters, sizes: sizes, to: &headerWriter)
            let headers = headerWriter.written
            let signedHeaders = headerWriter.bytes(signedRange)
            let prefix = CanonicalRequest.presignedPrefix(request, rules: options, query: query, signedHeaders: signedHeaders)
            let capacity = CanonicalRequest.presignedCapacity(request, prefix: prefix, query: query, headers: headers.count,
                                                              signedHeaders: signedHeaders.count, payloadHash: payloadHash)
            func url(canonical: UnsafeBufferPointer<UInt8>, segments: PresignQuery.Segments, signature: UnsafeBufferPointer<UInt8>) -> (String, Int) {
                guard let source = prefix.segmentSource else {
                    return Self.presignedURL(request, query: query, segments: segments, source: canonical, signature: signature,
                                             signedHeadersCount: signedHeaders.count)
                }
                return source.withBytes { source in
                    Self.presignedURL(request, query: query, segments: prefix.segments, source: source, signature: signature,
                                      signedHeadersCount: signedHeaders.count)
                }
            }
            if keepingSignature {
                var segments = PresignQuery.Segments()
                let storage = SignatureStorage.make(capacity: capacity, date: amzDate, signingKey: key, streaming: nil) { output in
                    let (written, headersStart) = CanonicalRequest.writePresigned(request, prefix: prefix, rules: options, payloadHash: payloadHash,
                                                                                  query: query, headers: headers, signedHeaders: signedHeaders, to: &output)
                    segments = written
                    return headersStart + signedRange.lowerBound..<headersStart + signedRange.upperBound
                }
                storage.sign()
                let (url, queryOffset) = storage.withBytes { canonical, _, signature in url(canonical: canonical, segments: segments, signature: signature) }
                return (url, queryOffset, SigV4Signature(storage: storage))
            }
            // The canonical request and the hex signature after it, in temporary memory.
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity + 64) { buffer in
                guard let base = buffer.baseAddress else { preconditionFailure("temporary allocation without memory") }
                var output = ByteWriter(start: base, capacity: capacity)
                let (segments, _) = CanonicalRequest.writePresigned(request, prefix: prefix, rules: options, payloadHash: payloadHash,
                                                                    query: query, headers: headers, signedHeaders: signedHeaders, to: &output)
                let canonical = output.written
                let signature = UnsafeMutableBufferPointer(start: base + canonical.count, count: 64)
                Hex.write(key.sign(canonicalRequest: canonical, timestamp: amzDate.timestamp), to: signature)
                let (url, queryOffset) = url(canonical: canonical, segments: segments, signature: UnsafeBufferPointer(signature))
                return (url, queryOffset, nil)
            }
        }
    }

    /// `scheme://host/path?<the request's own query>&<the parameters in the order AWS documents>&X-Amz-Signature=…`,
    /// and where its query starts.
    private static func presignedURL(_ request: borrowing SigV4Request, query: PresignQuery, segments: PresignQuery.Segments,
                                     source: UnsafeBufferPointer<UInt8>, signature: UnsafeBufferPointer<UInt8>, signedHeadersCount: Int) -> (String, Int) {
        let size = request.scheme.utf8.count + 3 + request.host.utf8.count + request.path.utf8.count + 1 + request.query.utf8.count
            + query.urlSize(signedHeaders: signedHeadersCount) + Self.signatureParameter.count + signature.count
        var queryOffset = 0
        let url = String(unsafeUninitializedCapacity: size) { text in
            var output = ByteWriter(text)
            output.write(request.scheme)
            output.write("://" as StaticString)
            output.write(request.host)
            output.write(request.path)
            let questionMark = output.count
            if !request.query.isEmpty {
                output.write(UInt8(ascii: "?"))
                output.write(request.query)
            }
            query.writeURL(segments, from: source, to: &output)
            output.replace(at: questionMark, with: UInt8(ascii: "?"))  // the parameters' first "&" without a query of its own
            queryOffset = questionMark + 1
            output.write(Self.signatureParameter)
            output.write(signature)
            return output.count
        }
        return (url, queryOffset)
    }

    private static let signatureParameter = Array("&X-Amz-Signature=".utf8)

    /// Presigns a URL for `method` (GET by default), with no headers beyond `Host`.
    public func presign(url: String, method: String = "GET", expires: Int, date: Date = Date()) throws(SigV4Error) -> String {
        try presignedURL(SigV4Request(method: method, url: url), expires: expires, date: date)
    }

    /// Signs `request` in place; returns the signature with its inputs when `keepingSignature` (otherwise the canonical
    /// request is written in temporary memory).
    @discardableResult
    private func signHeaders(_ request: inout SigV4Request, body: SigV4Body, date: Date, keepingSignature: Bool) -> SigV4Signature? {
        let context = signingContext(for: date)
        let amzDate = context.date
        var body = body
        var streamingPayload: StreamingPayload?
        if case .streaming(let payload) = body {
            streamingPayload = payload
            Self.addStreamingHeaders(payload, to: &request.headers)
        }
        let streaming = streamingPayload != nil
        let token = credentials.sessionToken
        // The request's headers are copied once into a new array, without those the signer replaces, its own
        // appended; the canonical headers are read from there, and the array becomes the request's headers.
        var headers: [(String, String)] = []
        headers.reserveCapacity(request.headers.count + 4)
        var headerSize = 0, nameSize = 0
        var declaredHash: String?
        for (name, value) in request.headers {
            switch SignerHeaderName(name) {
            case .authorization?, .date?: continue
            case .securityToken? where token != nil: continue
            case .contentSHA256? where declaredHash == nil: declaredHash = value
            default: break
            }
            headers.append((name, value))
            headerSize += name.utf8.count + value.utf8.count
            nameSize += name.utf8.count
        }
        if !streaming, let declaredHash {
            body = SigV4Body.hash(declaredHash)  // a payload hash already stated is used as it is
        }
        func add(_ name: String, _ value: String) {
            headers.append((name, value))
            headerSize += name.utf8.count + value.utf8.count
            nameSize += name.utf8.count
        }
        if let token { add("X-Amz-Security-Token", token) }
        add("X-Amz-Date", amzDate.timestamp)
        if options.addContentSHA256Header || streaming, declaredHash == nil {
            add("x-amz-content-sha256", body.payloadHash)
        }

        let tokenAfterSigning = token != nil && options.sessionTokenPlacement == .afterSigning
        let sizes = CanonicalHeaders.Sizes(host: request.host, headerCount: headers.count, headerSize: headerSize, nameSize: nameSize)
        let prefix = CanonicalRequest.headerFormPrefix(request, rules: options)
        let capacity = CanonicalRequest.headerFormCapacity(request, prefix: prefix, headerSizes: sizes, payload: body)
        let key = context.key
        let extra = tokenAfterSigning ? CanonicalHeaders.sessionToken : CanonicalHeaders.none
        let authorization: String
        var signature: SigV4Signature?
        if keepingSignature {
            // The canonical request is written straight into the signature's storage, then hashed and signed there.
            let storage = SignatureStorage.allocate(capacity: capacity, date: amzDate, signingKey: key, streaming: streamingPayload)
            var output = storage.canonicalWriter()
            let signedHeaders = CanonicalRequest.writeHeaderForm(request, prefix: prefix, headers: headers, headerSizes: sizes, rules: options,
                                                                 payload: body, excluding: options.unsignedHeaderNames,
                                                                 alsoExcluding: extra, to: &output)
            storage.finish(count: output.count, signedHeaders: signedHeaders)
            storage.sign()
            let signed = SigV4Signature(storage: storage)
            authorization = signed.authorization(accessKeyID: credentials.accessKeyID)
            signature = signed
        } else {
            // The canonical request and the hex signature after it, in temporary memory.
            authorization = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity + 64) { buffer in
                guard let base = buffer.baseAddress else { preconditionFailure("temporary allocation without memory") }
                var output = ByteWriter(start: base, capacity: capacity)
                let signedHeaders = CanonicalRequest.writeHeaderForm(request, prefix: prefix, headers: headers, headerSizes: sizes, rules: options,
                                                                     payload: body, excluding: options.unsignedHeaderNames,
                                                                     alsoExcluding: extra, to: &output)
                let canonical = output.written
                let hex = UnsafeMutableBufferPointer(start: base + canonical.count, count: 64)
                Hex.write(key.sign(canonicalRequest: canonical, timestamp: amzDate.timestamp), to: hex)
                return SigV4Signature.authorization(accessKeyID: credentials.accessKeyID, credentialScope: key.credentialScopeBytes,
                                                    signedHeaders: UnsafeBufferPointer(rebasing: canonical[signedHeaders]),
                                                    signature: UnsafeBufferPointer(hex))
            }
        }
        headers.append(("Authorization", authorization))
        request.headers = HTTPHeaders(headers)
        return signature
    }

    // MARK: Internals

    /// The date, signing key and encoded credentials of signing at `date`.
    private func signingContext(for date: Date) -> SigningContext {
        SigningContext.of(date: date, credentials: credentials, region: region, service: service, keyCache: keyCache)
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
