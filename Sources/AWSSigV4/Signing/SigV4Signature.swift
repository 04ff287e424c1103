/// The result of signing: the signature and everything it was computed from (for `--verbose` output and
/// for debugging `SignatureDoesNotMatch`), and, for streaming bodies, the seed of the chunk signatures.
///
/// Cheap to return and drop: one reference to storage that holds the canonical request's bytes and the hex
/// signature; the strings below are made when read, and the string to sign is computed again on request.
public struct SigV4Signature: Sendable {
    nonisolated(unsafe) let storage: SignatureStorage  // immutable once signed

    init(storage: SignatureStorage) {
        self.storage = storage
    }

    /// The hex signature.
    public var signature: String {
        storage.withBytes { _, _, signature in String(decoding: signature, as: UTF8.self) }
    }
    /// The signed header names, `;`-separated.
    public var signedHeaders: String {
        storage.withBytes { canonical, signed, _ in String(decoding: UnsafeBufferPointer(rebasing: canonical[signed]), as: UTF8.self) }
    }
    /// The signing time.
    public var date: AMZDate { storage.header.date }
    /// `day/region/service/aws4_request`.
    public var credentialScope: String { signingKey.credentialScope }
    /// The canonical request that was hashed.
    public var canonicalRequest: CanonicalRequest {
        storage.withBytes { canonical, signed, _ in
            CanonicalRequest(
                storage: ByteStorage.make(capacity: canonical.count) { $0.write(canonical) },
                signedHeaders: String(decoding: UnsafeBufferPointer(rebasing: canonical[signed]), as: UTF8.self))
        }
    }
    /// The string to sign, whose HMAC is the signature (computed again from the canonical request).
    public var stringToSign: StringToSign {
        storage.withBytes { canonical, _, _ in
            StringToSign(timestamp: date.timestamp, credentialScope: signingKey.credentialScopeBytes, canonicalRequest: canonical)
        }
    }
    var signingKey: SigningKey { storage.header.signingKey }
    /// The streaming body this signature seeds, if any.
    public var streaming: StreamingPayload? { storage.header.streaming }

    /// The `Authorization` header value.
    public func authorization(accessKeyID: String) -> String {
        storage.withBytes { canonical, signed, signature in
            Self.authorization(
                accessKeyID: accessKeyID, credentialScope: signingKey.credentialScopeBytes,
                signedHeaders: UnsafeBufferPointer(rebasing: canonical[signed]), signature: signature)
        }
    }

    /// `AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<names>, Signature=<hex>`, written straight into the
    /// string's storage: one allocation, no interpolation.
    static func authorization(
        accessKeyID: String, credentialScope scope: [UInt8], signedHeaders: UnsafeBufferPointer<UInt8>,
        signature: UnsafeBufferPointer<UInt8>
    ) -> String {
        let count =
            credentialPrefix.count + accessKeyID.utf8.count + 1 + scope.count + signedHeadersPrefix.count
            + signedHeaders.count + signaturePrefix.count + signature.count
        return String(unsafeUninitializedCapacity: count) { text in
            var output = ByteWriter(text)
            output.write(credentialPrefix)
            output.write(accessKeyID)
            output.write(UInt8(ascii: "/"))
            output.write(scope)
            output.write(signedHeadersPrefix)
            output.write(signedHeaders)
            output.write(signaturePrefix)
            output.write(signature)
            return output.count
        }
    }

    private static let credentialPrefix = Array("\(SigV4Signer.algorithm) Credential=".utf8)
    private static let signedHeadersPrefix = Array(", SignedHeaders=".utf8)
    private static let signaturePrefix = Array(", Signature=".utf8)

    /// A chunk signer seeded with this (seed) signature, for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
    public func chunkSigner() -> ChunkSigner {
        ChunkSigner(seedSignature: signature, signingKey: signingKey, date: date, credentialScope: credentialScope)
    }

    /// An encoder that frames the body of the streaming request this signature was made for;
    /// `nil` when the body is not streaming.
    public func chunkedEncoder() -> AWSChunkedEncoder? {
        guard let streaming else { return nil }
        return AWSChunkedEncoder(payload: streaming, signer: chunkSigner())
    }
}

/// A presigned request: the request with its signature in the query, and the signature's inputs.
public struct PresignedRequest: Sendable {
    /// The presigned URL.
    public let url: String
    /// The signature and its inputs.
    public let signature: SigV4Signature
    private let unsigned: SigV4Request
    /// Where the query starts in ``url``'s UTF-8 bytes (after the `?`).
    private let queryOffset: Int

    /// The request to send: the query holds the signature; send the signed headers with it.
    public var request: SigV4Request {
        var request = unsigned
        request.query = String(Substring(url.utf8.dropFirst(queryOffset)))
        return request
    }

    /// A presigned request whose `url` (built from `unsigned`'s scheme, host and path) has its query from
    /// byte `queryOffset`.
    init(unsigned: SigV4Request, url: String, queryOffset: Int, signature: SigV4Signature) {
        self.unsigned = unsigned
        self.url = url
        self.queryOffset = queryOffset
        self.signature = signature
    }
}
