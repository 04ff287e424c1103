import NIOHTTP1

/// An HTTP request as the signer sees it: method, target and headers, in their wire form.
///
/// `path` and `query` are exactly what goes on the request line: the path percent-encoded (an S3 key
/// `a b` is `/bucket/a%20b`), the query without its `?`. The signer adds its headers (`X-Amz-Date`,
/// `Authorization`, …) to ``headers``, and a presigned request's parameters to ``query``.
public struct SigV4Request: Sendable {
    /// The HTTP method, e.g. `GET`.
    public var method: String
    /// `http` or `https`.
    public var scheme: String
    /// The host, with a port when it is not the scheme's default (this is the `Host` header's value).
    public var host: String
    /// The percent-encoded path, starting with `/` (an empty path signs as `/`).
    public var path: String
    /// The raw query string without the leading `?`; empty when there is none.
    public var query: String
    /// The request headers, in order. `Host` is signed from ``host`` when absent here.
    public var headers: HTTPHeaders

    /// Creates a request from its parts.
    public init(method: String, scheme: String = "https", host: String, path: String = "/", query: String = "", headers: HTTPHeaders = [:]) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// Creates a request from an absolute URL such as `https://bucket.s3.amazonaws.com/key?versionId=1`.
    ///
    /// The URL must already be percent-encoded as it will be sent; a default port (80 for http,
    /// 443 for https) is dropped from the host, as the `Host` header would drop it.
    public init(method: String, url: String, headers: HTTPHeaders = [:]) throws(SigV4Error) {
        guard let schemeEnd = url.range(of: "://") else {
            throw SigV4Error(code: .invalidURL, message: "not an absolute URL (no scheme): \(url)")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw SigV4Error(code: .invalidURL, message: "unsupported URL scheme '\(scheme)'")
        }
        var rest = url[schemeEnd.upperBound...]
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let userInfo = authority.lastIndex(of: "@") { authority = authority[authority.index(after: userInfo)...] }
        guard !authority.isEmpty, !authority.contains(where: { $0 == " " }) else {
            throw SigV4Error(code: .invalidURL, message: "URL has no valid host: \(url)")
        }
        var host = String(authority)
        if scheme == "http", host.hasSuffix(":80") { host.removeLast(3) }
        if scheme == "https", host.hasSuffix(":443") { host.removeLast(4) }
        let target = rest[authorityEnd...]
        let path: Substring
        let query: Substring
        if let questionMark = target.firstIndex(of: "?") {
            path = target[..<questionMark]
            query = target[target.index(after: questionMark)...]
        } else {
            path = target
            query = ""
        }
        self.init(method: method, scheme: scheme, host: host, path: path.isEmpty ? "/" : String(path), query: String(query), headers: headers)
    }

    /// The absolute URL: scheme, host, path and query.
    public var url: String {
        query.isEmpty ? "\(scheme)://\(host)\(path)" : "\(scheme)://\(host)\(path)?\(query)"
    }

    /// The request target as on the request line: path and query.
    public var target: String {
        query.isEmpty ? path : "\(path)?\(query)"
    }
}
