import AWSClientRuntime
import AWSSigV4

/// Where a bucket (and key) is addressed: the request path and, for virtual-hosted addressing, the host prefix.
struct S3Address: Sendable, Equatable {
    /// The percent-encoded path below the endpoint.
    var path: String
    /// `bucket.` for virtual-hosted addressing, else empty.
    var hostPrefix: String

    init(bucket: String, key: String?, endpoint: AWSEndpoint, addressing: S3ClientOptions.Addressing) {
        let encodedKey = key.map { URIEncoding.encode($0, keepSlash: true) }
        if Self.usesVirtualHost(bucket: bucket, endpoint: endpoint, addressing: addressing) {
            hostPrefix = bucket + "."
            path = "/" + (encodedKey ?? "")
        } else {
            hostPrefix = ""
            path = "/" + URIEncoding.encode(bucket) + (encodedKey.map { "/" + $0 } ?? "")
        }
    }

    static func usesVirtualHost(bucket: String, endpoint: AWSEndpoint, addressing: S3ClientOptions.Addressing) -> Bool {
        switch addressing {
        case .path: false
        case .virtualHosted: true
        case .automatic:
            endpoint.host.hasSuffix(".amazonaws.com") || endpoint.host.hasSuffix(".amazonaws.com.cn")
                ? isDNSCompatible(bucket, secure: endpoint.isSecure) : false
        }
    }

    /// A name usable as a host label: 3–63 lower-case letters, digits and `-` (dots only over plain HTTP,
    /// since they break the wildcard TLS certificate).
    static func isDNSCompatible(_ bucket: String, secure: Bool) -> Bool {
        let bytes = Array(bucket.utf8)
        guard (3...63).contains(bytes.count), let first = bytes.first, let last = bytes.last,
            first != UInt8(ascii: "-"), last != UInt8(ascii: "-")
        else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-")
                || (!secure && byte == UInt8(ascii: "."))
        }
    }
}
