import Foundation

extension SigV4Signer {
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
        -> (date: AMZDate, payloadHash: String, key: SigningKey, query: PresignQuery)
    {
        guard (1...Self.maximumPresignExpiry).contains(expires) else {
            throw SigV4Error(
                code: .invalidExpiry, message: "a presigned URL must expire within 1 to \(Self.maximumPresignExpiry) seconds (7 days), not \(expires)")
        }
        let context = signingContext(for: date)
        let amzDate = context.date
        let key = context.key
        let payloadHash = (body ?? (options.addContentSHA256Header ? .unsigned : .empty)).payloadHash
        let query = PresignQuery(
            encoded: context.encoded, timestamp: amzDate.timestamp, expires: expires,
            tokenSigned: options.sessionTokenPlacement == .signed)
        return (amzDate, payloadHash, key, query)
    }

    /// The presigned URL of a request with no query and no headers of its own, to a host that needs no trimming (an
    /// object's GET or PUT URL, what S3Client hands out): its canonical request is written in one pass into temporary
    /// memory, method, URI, parameters, `host:…`, `host`, payload hash, and the signature after it.
    private func presignedBareURL(_ request: SigV4Request, expires: Int, body: SigV4Body?, date: Date) throws(SigV4Error) -> String {
        let (amzDate, payloadHash, key, query) = try presignInputs(expires: expires, body: body, date: date)
        let capacity =
            CanonicalRequest.prefixSize(request, nil) + query.canonicalSize(signedHeaders: 4) + request.host.utf8.count + 16
            + payloadHash.utf8.count
        return key.signInTemporaryMemory(capacity: capacity, timestamp: amzDate.timestamp) { output in
            var segments = PresignQuery.Segments()
            CanonicalRequest.writePrefix(request, nil, rules: options, to: &output) { output in
                segments = ("host" as StaticString).withUTF8Buffer { query.writeCanonical(signedHeaders: $0, to: &output) }
            }
            CanonicalHeaders.writeHostOnly(request.host, to: &output)
            output.write(UInt8(ascii: "\n"))
            output.write(payloadHash)
            return segments
        } _: { canonical, segments, signature in
            Self.presignedURL(request, query: query, segments: segments, source: canonical, signature: signature, signedHeadersCount: 4).0
        }
    }

    /// Presigns `request`: the URL, where its query starts, and the signature with its inputs when `keepingSignature`
    /// (otherwise the canonical request is written in temporary memory).
    private func presigned(_ request: SigV4Request, expires: Int, body: SigV4Body?, date: Date, keepingSignature: Bool)
        throws(SigV4Error) -> (url: String, queryOffset: Int, signature: SigV4Signature?)
    {
        let (amzDate, payloadHash, key, query) = try presignInputs(expires: expires, body: body, date: date)
        let sizes = CanonicalHeaders.Sizes(request)
        // The canonical headers go in temporary (stack) memory: the query's X-Amz-SignedHeaders needs their names
        // before the canonical request, which holds both, is written.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: sizes.output) { buffer in
            var headerWriter = ByteWriter(buffer)
            let signedRange = CanonicalHeaders.write(
                request: request, excluding: options.unsignedHeaderNames,
                alsoExcluding: CanonicalHeaders.presignParameters, sizes: sizes, to: &headerWriter)
            let headers = headerWriter.written
            let signedHeaders = headerWriter.bytes(signedRange)
            let prefix = CanonicalRequest.presignedPrefix(request, rules: options, query: query, signedHeaders: signedHeaders)
            let capacity = CanonicalRequest.presignedCapacity(
                request, prefix: prefix, query: query, headers: headers.count,
                signedHeaders: signedHeaders.count, payloadHash: payloadHash)
            func url(canonical: UnsafeBufferPointer<UInt8>, segments: PresignQuery.Segments, signature: UnsafeBufferPointer<UInt8>) -> (String, Int) {
                guard let source = prefix.segmentSource else {
                    return Self.presignedURL(
                        request, query: query, segments: segments, source: canonical, signature: signature,
                        signedHeadersCount: signedHeaders.count)
                }
                return source.withBytes { source in
                    Self.presignedURL(
                        request, query: query, segments: prefix.segments, source: source, signature: signature,
                        signedHeadersCount: signedHeaders.count)
                }
            }
            if keepingSignature {
                var segments = PresignQuery.Segments()
                let storage = SignatureStorage.make(capacity: capacity, date: amzDate, signingKey: key, streaming: nil) { output in
                    let (written, headersStart) = CanonicalRequest.writePresigned(
                        request, prefix: prefix, rules: options, payloadHash: payloadHash,
                        query: query, headers: headers, signedHeaders: signedHeaders, to: &output)
                    segments = written
                    return headersStart + signedRange.lowerBound..<headersStart + signedRange.upperBound
                }
                storage.sign()
                let (url, queryOffset) = storage.withBytes { canonical, _, signature in url(canonical: canonical, segments: segments, signature: signature) }
                return (url, queryOffset, SigV4Signature(storage: storage))
            }
            // The canonical request and the hex signature after it, in temporary memory.
            return key.signInTemporaryMemory(capacity: capacity, timestamp: amzDate.timestamp) { output in
                CanonicalRequest.writePresigned(
                    request, prefix: prefix, rules: options, payloadHash: payloadHash, query: query,
                    headers: headers, signedHeaders: signedHeaders, to: &output
                ).segments
            } _: { canonical, segments, signature in
                let (url, queryOffset) = url(canonical: canonical, segments: segments, signature: signature)
                return (url, queryOffset, nil)
            }
        }
    }

    /// `scheme://host/path?<the request's own query>&<the parameters in the order AWS documents>&X-Amz-Signature=…`,
    /// and where its query starts.
    private static func presignedURL(
        _ request: borrowing SigV4Request, query: PresignQuery, segments: PresignQuery.Segments,
        source: UnsafeBufferPointer<UInt8>, signature: UnsafeBufferPointer<UInt8>, signedHeadersCount: Int
    ) -> (String, Int) {
        let size =
            request.scheme.utf8.count + 3 + request.host.utf8.count + request.path.utf8.count + 1 + request.query.utf8.count
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
}
