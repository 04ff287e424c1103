/// The query parameters of a presigned URL (`X-Amz-Algorithm`, `-Credential`, `-Date`, `-SignedHeaders`,
/// `-Expires`, `-Security-Token`), each encoded once into one buffer as a `name=value` segment, then copied
/// from there into both the canonical query (sorted by name) and the URL (in the order AWS documents).
struct PresignQuery {
    private var storage: [UInt8] = []
    private var algorithm = 0..<0
    private var credential = 0..<0
    private var date = 0..<0
    private var signedHeaders = 0..<0
    private var expires = 0..<0
    /// The `X-Amz-Security-Token` segment, if the credentials have a token.
    private var token: Range<Int>?
    /// Whether the token is part of the canonical query (``SigV4Signer/SessionTokenPlacement/signed``).
    private let tokenSigned: Bool

    /// Encodes the parameters. `encodedToken` is the session token already percent-encoded.
    init(accessKeyID: String, credentialScope: [UInt8], timestamp: String, signedHeaders names: UnsafeBufferPointer<UInt8>,
         expires seconds: Int, encodedToken: [UInt8]?, tokenSigned: Bool) {
        self.tokenSigned = tokenSigned
        storage.reserveCapacity(160 + accessKeyID.utf8.count * 3 + credentialScope.count + 12 + names.count * 3
                                + (encodedToken?.count ?? 0))
        algorithm = segment("X-Amz-Algorithm=") { $0.append(contentsOf: "AWS4-HMAC-SHA256".utf8) }
        credential = segment("X-Amz-Credential=") { output in
            URIEncoding.append(accessKeyID.utf8, keepSlash: false, to: &output)
            output.append(contentsOf: "%2F".utf8)
            credentialScope.withUnsafeBufferPointer { URIEncoding.append($0, keepSlash: false, to: &output) }
        }
        date = segment("X-Amz-Date=") { $0.append(contentsOf: timestamp.utf8) }
        signedHeaders = segment("X-Amz-SignedHeaders=") { URIEncoding.append(names, keepSlash: false, to: &$0) }
        expires = segment("X-Amz-Expires=") { Self.appendDecimal(seconds, to: &$0) }
        if let encodedToken {
            token = segment("X-Amz-Security-Token=") { $0.append(contentsOf: encodedToken) }
        }
    }

    private mutating func segment(_ name: StaticString, _ value: (inout [UInt8]) -> Void) -> Range<Int> {
        let start = storage.count
        name.withUTF8Buffer { storage.append(contentsOf: $0) }
        value(&storage)
        return start..<storage.count
    }

    private static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var width = 1
        while magnitude >= 10 {
            magnitude /= 10
            width += 1
        }
        magnitude = value.magnitude
        let end = output.count + width
        output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        for position in stride(from: end - 1, to: end - width - 1, by: -1) {
            output[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        }
    }

    /// Calls `body` with the segments of the canonical query, sorted by name.
    private func forEachCanonicalSegment(_ body: (Range<Int>) -> Void) {
        body(algorithm)
        body(credential)
        body(date)
        body(expires)
        if let token, tokenSigned { body(token) }
        body(signedHeaders)
    }

    /// An upper bound of the canonical query's size, beyond the request's own query.
    var canonicalSize: Int { storage.count + 8 }

    /// Appends the canonical query: the request's own parameters (`requestQuery`) and these, sorted.
    func appendCanonical(requestQuery: String, to output: inout [UInt8]) {
        storage.withUnsafeBufferPointer { storage in
            if requestQuery.isEmpty {
                // Already in order: Algorithm < Credential < Date < Expires < Security-Token < SignedHeaders.
                var first = true
                forEachCanonicalSegment { range in
                    if !first { output.append(UInt8(ascii: "&")) }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: storage[range]))
                    first = false
                }
                return
            }
            var extra: [(name: [UInt8], value: [UInt8])] = []
            forEachCanonicalSegment { range in
                let segment = storage[range]
                let equals = segment.firstIndex(of: UInt8(ascii: "=")) ?? segment.endIndex
                extra.append((Array(segment[..<equals]), Array(segment[min(equals + 1, segment.endIndex)...])))
            }
            CanonicalRequest.appendCanonicalQuery(requestQuery, extra: extra, to: &output)
        }
    }

    /// Writes the canonical query of a request without a query of its own.
    func writeCanonical(to output: inout ByteWriter) {
        storage.withUnsafeBufferPointer { storage in
            var first = true
            forEachCanonicalSegment { range in
                if !first { output.write(UInt8(ascii: "&")) }
                output.write(UnsafeBufferPointer(rebasing: storage[range]))
                first = false
            }
        }
    }

    /// The number of bytes ``writeURLQuery(to:)`` writes.
    var urlQuerySize: Int { storage.count + 6 }

    /// Writes the parameters in the URL's order, each preceded by `&`.
    func writeURLQuery(to output: inout ByteWriter) {
        storage.withUnsafeBufferPointer { storage in
            for range in [algorithm, credential, date, signedHeaders, expires, token ?? 0..<0] where !range.isEmpty {
                output.write(UInt8(ascii: "&"))
                output.write(UnsafeBufferPointer(rebasing: storage[range]))
            }
        }
    }
}
