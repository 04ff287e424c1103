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

    /// Builds the canonical request of `request` (header form) in one buffer: method, URI, query, the headers
    /// not in `excluded` or `extra`, their names and `payloadHash`.
    init(request: SigV4Request, rules: SigV4Signer.Options, payloadHash: String, excluding excluded: HeaderNameSet,
         alsoExcluding extra: HeaderNameSet) {
        let prefix = Self.prefix(request, rules: rules) { Self.appendCanonicalQuery(request.query, extra: [], to: &$0) }
        let sizes = CanonicalHeaders.Sizes(request)
        var signed = 0..<0
        let bytes = [UInt8](unsafeUninitializedCapacity: Self.prefixSize(request, prefix) + sizes.output + 1 + payloadHash.utf8.count) { buffer, count in
            guard var output = ByteWriter(buffer) else { return }
            Self.writePrefix(request, prefix, rules: rules, to: &output) { _ in }
            signed = CanonicalHeaders.write(request: request, excluding: excluded, alsoExcluding: extra, sizes: sizes, to: &output)
            output.write(UInt8(ascii: "\n"))
            output.write(payloadHash)
            count = output.count
        }
        self.signedHeaders = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[signed]), as: UTF8.self) }
        self.bytes = bytes
    }

    /// Builds the canonical request of a presigned `request`, whose canonical headers part (block, blank line,
    /// names) is already in `headers`, with the names at `signedHeaders`.
    init(request: SigV4Request, rules: SigV4Signer.Options, payloadHash: String, presignQuery: PresignQuery,
         headers: [UInt8], signedHeaders: Range<Int>) {
        let prefix = Self.prefix(request, rules: rules) { presignQuery.appendCanonical(requestQuery: request.query, to: &$0) }
        let size = Self.prefixSize(request, prefix) + presignQuery.canonicalSize + headers.count + 1 + payloadHash.utf8.count
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            guard var output = ByteWriter(buffer) else { return }
            Self.writePrefix(request, prefix, rules: rules, to: &output) { presignQuery.writeCanonical(to: &$0) }
            output.write(headers)
            output.write(UInt8(ascii: "\n"))
            output.write(payloadHash)
            count = output.count
        }
        self.signedHeaders = headers.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[signedHeaders]), as: UTF8.self) }
        self.bytes = bytes
    }

    /// Whether the request line's part of the canonical request is written straight into the buffer: the
    /// request has no query of its own and its path needs no normalization (`/`, or S3's rules).
    private static func isDirect(_ request: SigV4Request, rules: SigV4Signer.Options) -> Bool {
        request.query.isEmpty && (!rules.normalizePath || request.path.isEmpty || request.path == "/")
    }

    /// The method, canonical URI and query lines, built the general way; `nil` when ``isDirect(_:rules:)``.
    private static func prefix(_ request: SigV4Request, rules: SigV4Signer.Options, query: (inout [UInt8]) -> Void) -> [UInt8]? {
        if isDirect(request, rules: rules) { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(request.method.utf8.count + request.path.utf8.count * 3 + request.query.utf8.count * 3 + 512)
        bytes.append(contentsOf: request.method.utf8)
        bytes.append(UInt8(ascii: "\n"))
        appendCanonicalURI(request.path, rules: rules, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        query(&bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The room ``writePrefix(_:_:rules:to:directQuery:)`` needs, besides the query of a direct request.
    private static func prefixSize(_ request: SigV4Request, _ prefix: [UInt8]?) -> Int {
        prefix?.count ?? request.method.utf8.count + request.path.utf8.count * 3 + 4
    }

    /// Writes `prefix`, or for a direct request the method, the canonical URI and the query `directQuery` writes.
    private static func writePrefix(_ request: SigV4Request, _ prefix: [UInt8]?, rules: SigV4Signer.Options, to output: inout ByteWriter,
                                    directQuery: (inout ByteWriter) -> Void) {
        if let prefix {
            output.write(prefix)
            return
        }
        output.write(request.method)
        output.write(UInt8(ascii: "\n"))
        appendCanonicalURI(request.path, rules: rules, to: &output)
        output.write(UInt8(ascii: "\n"))
        directQuery(&output)
        output.write(UInt8(ascii: "\n"))
    }

    // MARK: URI

    /// Appends the canonical URI of the wire `path`.
    ///
    /// S3 rules (`doubleEncodePath` off): the path is signed in its encoded form, with its percent-encoding
    /// made canonical (decoded, then encoded again) and nothing normalized. Every other service: dot segments
    /// and duplicate slashes removed (when `normalizePath`), then the wire path encoded once more.
    static func appendCanonicalURI(_ path: String, rules: SigV4Signer.Options, to output: inout some ByteSink) {
        if path.isEmpty || path == "/" {
            output.write(UInt8(ascii: "/"))
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
