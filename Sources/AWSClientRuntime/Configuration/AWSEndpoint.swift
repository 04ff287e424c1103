/// Where a service is reached: scheme, host (with port) and an optional base path, e.g.
/// `http://127.0.0.1:4566` for LocalStack or `https://sqs.eu-west-1.amazonaws.com`.
public struct AWSEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// The host and, when not the scheme's default, the port: the `Host` header's value.
    public var host: String
    /// A path prefix without a trailing slash (usually empty).
    public var basePath: String

    /// An endpoint from its parts.
    public init(scheme: String, host: String, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.basePath = basePath
    }

    /// Parses an absolute `http`/`https` URL; `nil` when it is not one.
    public init?(url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var host = String(rest[..<hostEnd])
        guard !host.isEmpty, !host.contains("@"), !host.contains(" ") else { return nil }
        if scheme == "http", host.hasSuffix(":80") { host.removeLast(3) }
        if scheme == "https", host.hasSuffix(":443") { host.removeLast(4) }
        var path = String(rest[hostEnd...].prefix { $0 != "?" && $0 != "#" })
        while path.hasSuffix("/") { path.removeLast() }
        self.scheme = scheme
        self.host = host
        self.basePath = path
    }

    /// `scheme://host/basePath`.
    public var url: String { "\(scheme)://\(host)\(basePath)" }

    /// Whether requests go over TLS.
    public var isSecure: Bool { scheme == "https" }

    public var description: String { url }
}
