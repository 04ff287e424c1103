/// The query parameters of a presigned URL (`X-Amz-Algorithm`, `-Credential`, `-Date`, `-SignedHeaders`,
/// `-Expires`, `-Security-Token`), each encoded once as a `name=value` segment: written in sorted order where
/// the canonical query goes (straight into the canonical request when the request has no query of its own),
/// then copied from there into the URL in the order AWS documents.
struct PresignQuery {
    /// `X-Amz-Credential`'s value and the session token, already percent-encoded.
    let encoded: EncodedCredentials
    let timestamp: String
    let expires: Int
    /// Whether the token is part of the canonical query (``SigV4Signer/SessionTokenPlacement/signed``).
    let tokenSigned: Bool

    /// Where ``writeCanonical(signedHeaders:to:)`` wrote each segment.
    struct Segments {
        var algorithm = 0..<0
        var credential = 0..<0
        var date = 0..<0
        var expires = 0..<0
        var signedHeaders = 0..<0
        /// The token's segment, when it is signed.
        var token: Range<Int>?
    }

    /// An upper bound of what ``writeCanonical(signedHeaders:to:)`` writes, for `signedHeaders` bytes of names.
    func canonicalSize(signedHeaders: Int) -> Int {
        128 + encoded.credential.count + timestamp.utf8.count + signedHeaders * 3
            + (encoded.token?.count ?? 0)
    }

    /// Writes the segments sorted by name (Algorithm < Credential < Date < Expires < Security-Token <
    /// SignedHeaders), joined with `&` (``writeURL(_:from:to:)`` copies neighbours together).
    func writeCanonical(signedHeaders: UnsafeBufferPointer<UInt8>, to output: inout ByteWriter) -> Segments {
        var segments = Segments()
        var start = output.count
        output.write("X-Amz-Algorithm=AWS4-HMAC-SHA256" as StaticString)
        segments.algorithm = start..<output.count

        output.write(UInt8(ascii: "&"))
        start = output.count
        output.write("X-Amz-Credential=" as StaticString)
        output.write(encoded.credential)
        segments.credential = start..<output.count

        output.write(UInt8(ascii: "&"))
        start = output.count
        output.write("X-Amz-Date=" as StaticString)
        output.write(timestamp)
        segments.date = start..<output.count

        output.write(UInt8(ascii: "&"))
        start = output.count
        output.write("X-Amz-Expires=" as StaticString)
        Self.writeDecimal(expires, to: &output)
        segments.expires = start..<output.count

        if let encodedToken = encoded.token, tokenSigned {
            output.write(UInt8(ascii: "&"))
            start = output.count
            output.write("X-Amz-Security-Token=" as StaticString)
            output.write(encodedToken)
            segments.token = start..<output.count
        }

        output.write(UInt8(ascii: "&"))
        start = output.count
        output.write("X-Amz-SignedHeaders=" as StaticString)
        URIEncoding.write(signedHeaders, keepSlash: false, to: &output)
        segments.signedHeaders = start..<output.count
        return segments
    }

    /// The segments as `(name, value)` pairs, for merging with a request's own query.
    func pairs(_ segments: Segments, in source: UnsafeBufferPointer<UInt8>) -> [(name: [UInt8], value: [UInt8])] {
        var ranges = [segments.algorithm, segments.credential, segments.date, segments.expires, segments.signedHeaders]
        if let token = segments.token { ranges.append(token) }
        return ranges.map { range in
            let segment = source[range]
            let equals = segment.firstIndex(of: UInt8(ascii: "=")) ?? segment.endIndex
            return (Array(segment[..<equals]), Array(segment[min(equals + 1, segment.endIndex)...]))
        }
    }

    /// An upper bound of what ``writeURL(_:from:to:)`` writes, for `signedHeaders` bytes of names.
    func urlSize(signedHeaders: Int) -> Int {
        canonicalSize(signedHeaders: signedHeaders) + 32 + (encoded.token?.count ?? 0)
    }

    /// Writes the parameters in the URL's order, each preceded by `&`, copying the segments from `source`.
    func writeURL(_ segments: Segments, from source: UnsafeBufferPointer<UInt8>, to output: inout ByteWriter) {
        func copy(_ range: Range<Int>, to output: inout ByteWriter) {
            output.write(UInt8(ascii: "&"))
            output.write(UnsafeBufferPointer(rebasing: source[range]))
        }
        // Algorithm, Credential and Date stand together in sorted order, as do Expires and a signed token: three copies.
        copy(segments.algorithm.lowerBound..<segments.date.upperBound, to: &output)
        copy(segments.signedHeaders, to: &output)
        if let token = segments.token {
            copy(segments.expires.lowerBound..<token.upperBound, to: &output)
        } else if let encodedToken = encoded.token {
            copy(segments.expires, to: &output)
            output.write("&X-Amz-Security-Token=" as StaticString)
            output.write(encodedToken)
        } else {
            copy(segments.expires, to: &output)
        }
    }

    /// Writes `value` (not negative) in decimal, straight into `output`.
    private static func writeDecimal(_ value: Int, to output: inout ByteWriter) {
        var digits = 1
        var rest = value.magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let start = output.claim(digits)
        var remaining = value.magnitude
        for index in stride(from: digits - 1, through: 0, by: -1) {
            start[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
    }
}
