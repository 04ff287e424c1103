/// The canonical form of a request (task 1 of SigV4): method, canonical URI, canonical query,
/// canonical headers, signed header names and payload hash, one per line.
///
/// Built directly as UTF-8 bytes: the SHA-256 of these bytes is what the string to sign commits to.
public struct CanonicalRequest: Sendable {
    /// The canonical request's bytes.
    public let bytes: [UInt8]
    /// The signed header names, lower-case, `;`-separated and sorted (`host;x-amz-date`).
    public let signedHeaders: String

    /// The canonical request as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Wraps finished bytes.
    init(bytes: [UInt8], signedHeaders: String) {
        self.bytes = bytes
        self.signedHeaders = signedHeaders
    }

    /// Builds the canonical request of `request` (header form) in one buffer: method, URI, query, the headers
    /// not in `excluded` or `extra`, their names and `payloadHash`.
    init(request: SigV4Request, rules: SigV4Signer.Options, payloadHash: String, excluding excluded: HeaderNameSet,
         alsoExcluding extra: HeaderNameSet) {
        var headersSize = request.host.utf8.count + 16
        for (name, value) in request.headers { headersSize += name.utf8.count * 2 + value.utf8.count + 3 }
        var bytes = Self.start(request, rules: rules, capacity: request.query.utf8.count * 3 + headersSize + payloadHash.utf8.count) {
            Self.appendCanonicalQuery(request.query, extra: [], to: &$0)
        }
        let signed = CanonicalHeaders.append(request: request, excluding: excluded, alsoExcluding: extra, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: payloadHash.utf8)
        self.signedHeaders = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[signed]), as: UTF8.self) }
        self.bytes = bytes
    }

    /// Builds the canonical request of a presigned `request`, whose canonical headers part (block, blank line,
    /// names) is already in `headers`, with the names at `signedHeaders`.
    init(request: SigV4Request, rules: SigV4Signer.Options, payloadHash: String, presignQuery: PresignQuery,
         headers: [UInt8], signedHeaders: Range<Int>) {
        var bytes = Self.start(request, rules: rules, capacity: request.query.utf8.count * 3 + presignQuery.canonicalSize
                               + headers.count + payloadHash.utf8.count) {
            presignQuery.appendCanonical(requestQuery: request.query, to: &$0)
        }
        bytes.append(contentsOf: headers)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: payloadHash.utf8)
        self.signedHeaders = headers.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[signedHeaders]), as: UTF8.self) }
        self.bytes = bytes
    }

    /// A buffer with room for `capacity` more bytes holding the method, canonical URI and query lines.
    private static func start(_ request: SigV4Request, rules: SigV4Signer.Options, capacity: Int,
                              query: (inout [UInt8]) -> Void) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(request.method.utf8.count + request.path.utf8.count * 3 + capacity + 8)
        bytes.append(contentsOf: request.method.utf8)
        bytes.append(UInt8(ascii: "\n"))
        appendCanonicalURI(request.path, rules: rules, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        query(&bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    // MARK: URI

    /// Appends the canonical URI of the wire `path`.
    ///
    /// S3 rules (`doubleEncodePath` off): the path is signed in its encoded form, with its percent-encoding
    /// made canonical (decoded, then encoded again) and nothing normalized. Every other service: dot segments
    /// and duplicate slashes removed (when `normalizePath`), then the wire path encoded once more.
    static func appendCanonicalURI(_ path: String, rules: SigV4Signer.Options, to output: inout [UInt8]) {
        if path.isEmpty || path == "/" {
            output.append(UInt8(ascii: "/"))
            return
        }
        var path = rules.normalizePath ? normalize(path) : path
        if rules.doubleEncodePath {
            path.withUTF8 { URIEncoding.append($0, keepSlash: true, to: &output) }
        } else {
            path.withUTF8 { URIEncoding.appendRecoded($0, keepSlash: true, to: &output) }
        }
    }

    /// Removes `.` and `..` segments and empty segments (duplicate slashes), keeping a leading and a
    /// trailing slash; an empty result is `/`.
    static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        if segments.isEmpty { return "/" }
        var result = path.hasPrefix("/") ? "/" : ""
        result += segments.joined(separator: "/")
        if path.hasSuffix("/") { result += "/" }
        return result
    }

    // MARK: Query

    /// Appends the canonical query: every name and value decoded and re-encoded, sorted by name then value.
    static func appendCanonicalQuery(_ query: String, extra: [(name: [UInt8], value: [UInt8])], to output: inout [UInt8]) {
        if query.isEmpty && extra.isEmpty { return }
        var pairs = extra
        for component in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = component.firstIndex(of: UInt8(ascii: "=")) {
                pairs.append((reencode(component[..<equals]), reencode(component[component.index(after: equals)...])))
            } else {
                pairs.append((reencode(component), []))
            }
        }
        pairs.sort { lhs, rhs in
            lhs.name == rhs.name ? lhs.value.lexicographicallyPrecedes(rhs.value) : lhs.name.lexicographicallyPrecedes(rhs.name)
        }
        for (index, pair) in pairs.enumerated() {
            if index > 0 { output.append(UInt8(ascii: "&")) }
            output.append(contentsOf: pair.name)
            output.append(UInt8(ascii: "="))
            output.append(contentsOf: pair.value)
        }
    }

    private static func reencode(_ raw: Substring.UTF8View) -> [UInt8] {
        if URIEncoding.isUnreserved(raw) { return Array(raw) }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(raw.count + 8)
        URIEncoding.append(URIEncoding.decode(raw), keepSlash: false, to: &encoded)
        return encoded
    }
}
