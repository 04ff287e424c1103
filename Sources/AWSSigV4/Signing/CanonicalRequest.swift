/// The canonical form of a request (task 1 of SigV4): method, canonical URI, canonical query,
/// canonical headers, signed header names and payload hash, one per line.
///
/// Built directly as UTF-8 bytes: the SHA-256 of these bytes is what the string to sign commits to.
public struct CanonicalRequest: Sendable {
    /// The canonical request's bytes.
    public var bytes: [UInt8] { storage.array }
    /// The signed header names, lower-case, `;`-separated and sorted (`host;x-amz-date`).
    public let signedHeaders: String
    /// The bytes, hashed in place.
    nonisolated(unsafe) let storage: ByteStorage  // immutable once built

    /// The canonical request as text.
    public var text: String { storage.text }

    /// A canonical request of these bytes, whose signed header names are `signedHeaders`.
    init(storage: ByteStorage, signedHeaders: String) {
        self.storage = storage
        self.signedHeaders = signedHeaders
    }

    // MARK: Header form

    /// The method, URI and query lines of `request` when they are not written straight into the canonical request.
    static func headerFormPrefix(_ request: SigV4Request, rules: SigV4Signer.Options) -> [UInt8]? {
        if isDirect(request, rules: rules) { return nil }
        let query = request.query
        return prefix(request, rules: rules) { Self.appendCanonicalQuery(query, extra: [], to: &$0) }
    }

    /// An upper bound of the bytes ``writeHeaderForm(_:prefix:headers:headerSizes:rules:payload:excluding:alsoExcluding:to:)``
    /// writes.
    static func headerFormCapacity(
        _ request: SigV4Request, prefix: [UInt8]?, headerSizes sizes: CanonicalHeaders.Sizes,
        payload: SigV4Body
    ) -> Int {
        prefixSize(request, prefix) + sizes.output + 1 + payload.payloadHashCount
    }

    /// Writes the canonical request of `request` (header form): method, URI, query (`prefix`, when not written
    /// directly), the `headers` (which stand for the request's) not in `excluded` or `extra`, their names and
    /// `payload`'s hash.
    ///
    /// - Returns: where the signed header names stand in `output`.
    static func writeHeaderForm(
        _ request: SigV4Request, prefix: [UInt8]?, headers: [(String, String)],
        headerSizes sizes: CanonicalHeaders.Sizes, rules: SigV4Signer.Options, payload: SigV4Body,
        excluding excluded: HeaderNameSet, alsoExcluding extra: HeaderNameSet, to output: inout ByteWriter
    ) -> Range<Int> {
        writePrefix(request, prefix, rules: rules, to: &output) { _ in }
        let signed = CanonicalHeaders.write(
            headers: headers, host: request.host, excluding: excluded, alsoExcluding: extra,
            sizes: sizes, to: &output)
        output.write(UInt8(ascii: "\n"))
        payload.writePayloadHash(to: &output)
        return signed
    }

    // MARK: Query form

    /// The parts of a presigned request's canonical request not written straight into it.
    struct PresignedPrefix {
        /// The method, URI and query lines; `nil` when they are written directly (the request has no query of its own
        /// and its path needs no normalization).
        var lines: [UInt8]?
        /// Where the parameters' segments are when `lines` is set.
        var segmentSource: ByteStorage?
        /// The segments in `segmentSource`.
        var segments = PresignQuery.Segments()
    }

    /// The method, URI and query lines of a presigned `request` with the parameters of `query`, when they are not written
    /// straight into the canonical request.
    static func presignedPrefix(
        _ request: borrowing SigV4Request, rules: SigV4Signer.Options, query: PresignQuery,
        signedHeaders: UnsafeBufferPointer<UInt8>
    ) -> PresignedPrefix {
        var result = PresignedPrefix()
        let querySize = query.canonicalSize(signedHeaders: signedHeaders.count)
        result.lines = Self.prefix(request, rules: rules) { output in
            // The request's own parameters and these, sorted together: the segments go in a buffer of their own.
            var segments = PresignQuery.Segments()
            let source = ByteStorage.make(capacity: querySize) { segments = query.writeCanonical(signedHeaders: signedHeaders, to: &$0) }
            result.segmentSource = source
            result.segments = segments
            let pairs = source.withBytes { query.pairs(segments, in: $0) }
            Self.appendCanonicalQuery(request.query, extra: pairs, to: &output)
        }
        return result
    }

    /// An upper bound of the bytes ``writePresigned(_:prefix:rules:payloadHash:query:headers:signedHeaders:to:)`` writes.
    static func presignedCapacity(
        _ request: borrowing SigV4Request, prefix: PresignedPrefix, query: PresignQuery, headers: Int,
        signedHeaders: Int, payloadHash: String
    ) -> Int {
        prefixSize(request, prefix.lines) + query.canonicalSize(signedHeaders: signedHeaders) + headers + 1 + payloadHash.utf8.count
    }

    /// Writes the canonical request of a presigned `request` with the parameters of `query`, whose canonical headers part
    /// (block, blank line, names) is `headers`, with the names `signedHeaders`.
    ///
    /// - Returns: where the parameters' segments are in `output` (when `prefix` has no lines), and where the headers part starts.
    static func writePresigned(
        _ request: borrowing SigV4Request, prefix: PresignedPrefix, rules: SigV4Signer.Options, payloadHash: String,
        query: PresignQuery, headers: UnsafeBufferPointer<UInt8>, signedHeaders: UnsafeBufferPointer<UInt8>,
        to output: inout ByteWriter
    ) -> (segments: PresignQuery.Segments, headersStart: Int) {
        var segments = PresignQuery.Segments()
        writePrefix(request, prefix.lines, rules: rules, to: &output) { segments = query.writeCanonical(signedHeaders: signedHeaders, to: &$0) }
        let headersStart = output.count
        output.write(headers)
        output.write(UInt8(ascii: "\n"))
        output.write(payloadHash)
        return (segments, headersStart)
    }

    /// Whether the request line's part of the canonical request is written straight into the buffer: the
    /// request has no query of its own and its path needs no normalization (`/`, or S3's rules).
    private static func isDirect(_ request: SigV4Request, rules: SigV4Signer.Options) -> Bool {
        request.query.isEmpty && (!rules.normalizePath || isRoot(request.path))
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
    static func prefixSize(_ request: SigV4Request, _ prefix: [UInt8]?) -> Int {
        prefix?.count ?? request.method.utf8.count + request.path.utf8.count * 3 + 4
    }

    /// Writes `prefix`, or for a direct request the method, the canonical URI and the query `directQuery` writes.
    static func writePrefix(
        _ request: SigV4Request, _ prefix: [UInt8]?, rules: SigV4Signer.Options, to output: inout ByteWriter,
        directQuery: (inout ByteWriter) -> Void
    ) {
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
        if isRoot(path) {
            output.write(UInt8(ascii: "/"))
            return
        }
        var path = rules.normalizePath ? normalize(path) : path
        if rules.doubleEncodePath {
            path.withUTF8 { URIEncoding.write($0, keepSlash: true, to: &output) }
        } else {
            path.withUTF8 { URIEncoding.writeRecoded($0, keepSlash: true, to: &output) }
        }
    }

    /// Whether `path` is empty or `/` (byte tests: no string comparison call).
    private static func isRoot(_ path: String) -> Bool {
        let utf8 = path.utf8
        return utf8.isEmpty || (utf8.count == 1 && utf8.first == UInt8(ascii: "/"))
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
