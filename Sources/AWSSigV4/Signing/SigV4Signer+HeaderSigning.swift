import Foundation
import NIOHTTP1

extension SigV4Signer {
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
        var headerSize = 0
        var nameSize = 0
        func add(_ name: String, _ value: String) {
            headers.append((name, value))
            headerSize += name.utf8.count + value.utf8.count
            nameSize += name.utf8.count
        }
        var declaredHash: String?
        for (name, value) in request.headers {
            switch SignerHeaderName(name) {
            case .authorization?, .date?: continue
            case .securityToken? where token != nil: continue
            case .contentSHA256? where declaredHash == nil: declaredHash = value
            default: break
            }
            add(name, value)
        }
        if !streaming, let declaredHash {
            body = SigV4Body.hash(declaredHash)  // a payload hash already stated is used as it is
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
            let signedHeaders = CanonicalRequest.writeHeaderForm(
                request, prefix: prefix, headers: headers, headerSizes: sizes, rules: options,
                payload: body, excluding: options.unsignedHeaderNames,
                alsoExcluding: extra, to: &output)
            storage.finish(count: output.count, signedHeaders: signedHeaders)
            storage.sign()
            let signed = SigV4Signature(storage: storage)
            authorization = signed.authorization(accessKeyID: credentials.accessKeyID)
            signature = signed
        } else {
            // The canonical request and the hex signature after it, in temporary memory.
            // (Written out rather than through SigningKey.signInTemporaryMemory: a closure here captures the header array,
            // which is appended to below, and costs eight more reference counts per signature.)
            authorization = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity + 64) { buffer in
                guard let base = buffer.baseAddress else { preconditionFailure("temporary allocation without memory") }
                var output = ByteWriter(start: base, capacity: capacity)
                let signedHeaders = CanonicalRequest.writeHeaderForm(
                    request, prefix: prefix, headers: headers, headerSizes: sizes, rules: options,
                    payload: body, excluding: options.unsignedHeaderNames,
                    alsoExcluding: extra, to: &output)
                let canonical = output.written
                let hex = UnsafeMutableBufferPointer(start: base + canonical.count, count: 64)
                Hex.write(key.sign(canonicalRequest: canonical, timestamp: amzDate.timestamp), to: hex)
                return SigV4Signature.authorization(
                    accessKeyID: credentials.accessKeyID, credentialScope: key.credentialScopeBytes,
                    signedHeaders: UnsafeBufferPointer(rebasing: canonical[signedHeaders]),
                    signature: UnsafeBufferPointer(hex))
            }
        }
        headers.append(("Authorization", authorization))
        request.headers = HTTPHeaders(headers)
        return signature
    }

    static func addStreamingHeaders(_ payload: StreamingPayload, to headers: inout HTTPHeaders) {
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
