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

    /// Builds the canonical request of `request` with its canonical `headers`.
    ///
    /// - Parameter extraQuery: already-encoded `(name, value)` pairs added to the query (presigning).
    init(request: SigV4Request, rules: SigV4Signer.Options, payloadHash: String, headers: CanonicalHeaders,
         extraQuery: [(name: [UInt8], value: [UInt8])] = []) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(request.method.utf8.count + request.path.utf8.count * 3 + request.query.utf8.count * 3
            + extraQuery.reduce(0) { $0 + $1.name.count + $1.value.count + 2 }
            + headers.block.count + headers.signedHeaders.count + payloadHash.utf8.count + 8)
        bytes.append(contentsOf: request.method.utf8)
        bytes.append(UInt8(ascii: "\n"))
        Self.appendCanonicalURI(request.path, rules: rules, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        Self.appendCanonicalQuery(request.query, extra: extraQuery, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: headers.block)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: headers.signedHeaders)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: payloadHash.utf8)
        self.bytes = bytes
        self.signedHeaders = String(decoding: headers.signedHeaders, as: UTF8.self)
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
        let path = rules.normalizePath ? normalize(path) : path
        if rules.doubleEncodePath {
            URIEncoding.append(path.utf8, keepSlash: true, to: &output)
        } else {
            URIEncoding.append(URIEncoding.decode(path.utf8), keepSlash: true, to: &output)
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
