/// The result of signing: the signature and everything it was computed from (for `--verbose` output and
/// for debugging `SignatureDoesNotMatch`), and, for streaming bodies, the seed of the chunk signatures.
public struct SigV4Signature: Sendable {
    /// The hex signature.
    public let signature: String
    /// The signed header names, `;`-separated.
    public let signedHeaders: String
    /// The signing time.
    public let date: AMZDate
    /// `day/region/service/aws4_request`.
    public let credentialScope: String
    /// The canonical request that was hashed.
    public let canonicalRequest: CanonicalRequest
    /// The string to sign, whose HMAC is the signature.
    public let stringToSign: StringToSign
    let signingKey: SigningKey
    /// The streaming body this signature seeds, if any.
    public let streaming: StreamingPayload?

    /// The `Authorization` header value.
    public func authorization(accessKeyID: String) -> String {
        "\(SigV4Signer.algorithm) Credential=\(accessKeyID)/\(credentialScope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

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
    /// The request to send: the query holds the signature; send the signed headers with it.
    public let request: SigV4Request
    /// The signature and its inputs.
    public let signature: SigV4Signature

    /// The presigned URL.
    public var url: String { request.url }
}
