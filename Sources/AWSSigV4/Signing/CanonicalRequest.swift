import NIOHTTP1

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

    /// Builds the canonical request of `request`.
    ///
    /// - Parameters:
    ///   - extraQuery: already-encoded `(name, value)` pairs added to the query (presigning).
    ///   - excludedHeaders: lower-case names of headers left out of the signature.
    init(request: SigV4Request, rules: SigV4Signer.Options, payloadHash: String,
         extraQuery: [(String, String)] = [], excludedHeaders: Set<String>) {
        let headers = Self.canonicalHeaders(request: request, excluded: excludedHeaders)
        var signedHeaders: [UInt8] = []
        for (index, header) in headers.enumerated() {
            if index > 0 { signedHeaders.append(UInt8(ascii: ";")) }
            signedHeaders.append(contentsOf: header.name)
        }
        self.signedHeaders = String(decoding: signedHeaders, as: UTF8.self)

        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + request.path.utf8.count * 3 + request.query.utf8.count * 2
            + headers.reduce(0) { $0 + $1.name.count + $1.value.count + 2 })
        bytes.append(contentsOf: request.method.utf8)
        bytes.append(UInt8(ascii: "\n"))
        Self.appendCanonicalURI(request.path, rules: rules, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        Self.appendCanonicalQuery(request.query, extra: extraQuery, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        for header in headers {
            bytes.append(contentsOf: header.name)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: header.value)
            bytes.append(UInt8(ascii: "\n"))
        }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: signedHeaders)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: payloadHash.utf8)
        self.bytes = bytes
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
        if rules.doubleEncodePath {
            let normalized = rules.normalizePath ? normalize(path) : path
            URIEncoding.append(normalized.utf8, keepSlash: true, to: &output)
        } else {
            let path = rules.normalizePath ? normalize(path) : path
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
    static func appendCanonicalQuery(_ query: String, extra: [(String, String)], to output: inout [UInt8]) {
        if query.isEmpty && extra.isEmpty { return }
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for component in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: Substring.UTF8View.SubSequence
            let value: Substring.UTF8View.SubSequence
            if let equals = component.firstIndex(of: UInt8(ascii: "=")) {
                name = component[..<equals]
                value = component[component.index(after: equals)...]
            } else {
                name = component
                value = component[component.endIndex...]
            }
            pairs.append((reencode(name), reencode(value)))
        }
        for (name, value) in extra {
            pairs.append((Array(name.utf8), Array(value.utf8)))
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

    private static func reencode(_ raw: some Collection<UInt8>) -> [UInt8] {
        if URIEncoding.isUnreserved(raw) { return Array(raw) }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(raw.count + 8)
        URIEncoding.append(URIEncoding.decode(raw), keepSlash: false, to: &encoded)
        return encoded
    }

    // MARK: Headers

    /// The headers to sign: names lower-cased, values trimmed with inner whitespace runs (line folds
    /// included) collapsed to one space, repeated names joined with `,` in order, sorted by name.
    static func canonicalHeaders(request: SigV4Request, excluded: Set<String>) -> [(name: [UInt8], value: [UInt8])] {
        var entries: [(name: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(request.headers.count + 1)
        var hasHost = false
        for (name, value) in request.headers {
            let lowerName = lowercased(name)
            if !excluded.isEmpty, excluded.contains(String(decoding: lowerName, as: UTF8.self)) { continue }
            if lowerName == hostName { hasHost = true }
            entries.append((lowerName, trimmed(value)))
        }
        if !hasHost {
            entries.append((hostName, Array(request.host.utf8)))
        }
        // Stable sort by name, so that repeated headers keep their order.
        let order = entries.indices.sorted { lhs, rhs in
            entries[lhs].name == entries[rhs].name ? lhs < rhs : entries[lhs].name.lexicographicallyPrecedes(entries[rhs].name)
        }
        var merged: [(name: [UInt8], value: [UInt8])] = []
        merged.reserveCapacity(entries.count)
        for index in order {
            let entry = entries[index]
            if let last = merged.last, last.name == entry.name {
                merged[merged.count - 1].value.append(UInt8(ascii: ","))
                merged[merged.count - 1].value.append(contentsOf: entry.value)
            } else {
                merged.append(entry)
            }
        }
        return merged
    }

    private static let hostName: [UInt8] = Array("host".utf8)

    private static func lowercased(_ name: String) -> [UInt8] {
        var bytes = Array(name.utf8)
        for index in bytes.indices where bytes[index] >= UInt8(ascii: "A") && bytes[index] <= UInt8(ascii: "Z") {
            bytes[index] += 32
        }
        return bytes
    }

    private static func trimmed(_ value: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace {
                    output.append(UInt8(ascii: " "))
                    pendingSpace = false
                }
                output.append(byte)
            }
        }
        return output
    }
}
