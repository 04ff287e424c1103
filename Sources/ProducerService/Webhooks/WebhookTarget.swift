import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a URL is not a webhook target (answered as `400 webhook_target_not_allowed` at registration, recorded as the
/// attempt's error before a delivery).
struct WebhookTargetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the target.
    struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        var rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        /// Not an `http(s)` URL, too long, a bad port, or a host this check does not read the way the HTTP client would.
        static let invalidURL = Code(rawValue: "invalid_url")
        /// The URL carries a user name or password.
        static let credentials = Code(rawValue: "credentials")
        /// The host is a number other than a dotted-quad IPv4 address (`2130706433`, `0177.0.0.1`, `0x7f.0.0.1`, `127.1`):
        /// resolvers read these differently, so they are refused whatever they stand for.
        static let nonCanonicalAddress = Code(rawValue: "non_canonical_address")
        /// The name has no address.
        static let unresolvable = Code(rawValue: "unresolvable")
        /// The name did not resolve within ``WebhookResolver/timeout``: treated as unresolvable.
        static let resolutionTimedOut = Code(rawValue: "resolution_timed_out")
        /// ``WebhookResolver/maximumLookups`` lookups are already under way (the resolver is hanging): not tried.
        static let resolverBusy = Code(rawValue: "resolver_busy")
        /// The lookup was cancelled (the producer is shutting down).
        static let cancelled = Code(rawValue: "cancelled")
        /// An address of the host is not public (loopback, private, link-local, …).
        static let notPublic = Code(rawValue: "not_public")
    }

    /// What is wrong.
    var code: Code
    /// A message for people.
    var message: String

    var description: String { "\(code): \(message)" }
}

/// A target that passed ``WebhookTarget/check(_:allowPrivate:resolver:)``, as an attempt connects to it.
struct WebhookCheckedTarget: Sendable, Equatable {
    /// The URL the HTTP client is given: for an `http` URL with a host name, the name replaced by the checked address.
    var connectURL: String
    /// The `Host` header to send when the URL's host was replaced (the name and any explicit port), else `nil`.
    var hostHeader: String?
    /// Every address the host resolved to (IPv4 as 4 bytes, IPv6 as 16), all of them checked.
    var addresses: [[UInt8]]
}

/// Where a webhook may be sent: an `http(s)` URL whose host resolves only to public addresses, unless private targets
/// are allowed (`VIDEOQUEUE_WEBHOOK_ALLOW_PRIVATE`). Every address the host resolves to must be public — one
/// loopback, private, link-local (the instance metadata service at 169.254.169.254 included), shared, reserved,
/// documentation, multicast address, or an IPv6 form that embeds an IPv4 address or leaves the global unicast range
/// (IPv4-mapped/compatible, NAT64, 6to4, Teredo, site-local, …; see ``isPublic(_:)``) refuses it — so a tenant cannot
/// make the producer call inside its network (SSRF). Numeric hosts other than a dotted quad are refused outright.
///
/// Checked when an endpoint is registered and again before every attempt (a name may resolve elsewhere later), each
/// time with one resolution (``WebhookResolver``: off the cooperative pool, with a timeout) whose result the attempt
/// then uses, so a name that answers a public address to the check and an internal one to the HTTP client (DNS
/// rebinding) does not get through:
/// - `http`: the attempt connects to the checked address itself (the URL's host replaced by it, the original `Host`
///   header kept); the HTTP client never resolves the name.
/// - `https`: the attempt keeps the host name, because the certificate must be verified for it. The HTTP client
///   resolves the name again, but a rebound answer leads to a server that cannot present a certificate for the
///   attacker's name (an internal service has its own name's certificate, or none), so the TLS handshake fails and
///   nothing of the request (its headers, signature or body) is sent; at most a TCP connection and a ClientHello
///   reach the rebound address. The addresses are still checked, which refuses names that simply point inside.
enum WebhookTarget {
    /// The longest URL accepted.
    static let maximumURLBytes = 2048

    /// `url` as an attempt connects to it, or why it is not a target.
    static func check(_ url: String, allowPrivate: Bool, resolver: WebhookResolver) async throws(WebhookTargetError) -> WebhookCheckedTarget {
        let parsed = try parse(url)
        let addresses: [[UInt8]]
        if let literal = parsed.literal {
            addresses = [literal]
        } else {
            addresses = try await resolver.resolve(parsed.host, port: parsed.port)
            guard !addresses.isEmpty else { throw WebhookTargetError(code: .unresolvable, message: "\(parsed.host) does not resolve") }
        }
        if !allowPrivate, let blocked = addresses.first(where: { !isPublic($0) }) {
            throw WebhookTargetError(code: .notPublic, message: "\(parsed.host) resolves to \(format(blocked)), which is not a public address")
        }
        guard parsed.scheme == "http", parsed.literal == nil, let pinned = addresses.first else {
            return WebhookCheckedTarget(connectURL: url, hostHeader: nil, addresses: addresses)
        }
        let host = pinned.count == 16 ? "[\(format(pinned))]" : format(pinned)
        let port = parsed.explicitPort.map { ":\($0)" } ?? ""
        let query = parsed.percentEncodedQuery.map { "?" + $0 } ?? ""
        return WebhookCheckedTarget(
            connectURL: "http://\(host)\(port)\(parsed.percentEncodedPath)\(query)",
            hostHeader: parsed.hostHeader, addresses: addresses)
    }

    /// A URL as the check reads it.
    struct ParsedURL: Sendable, Equatable {
        /// `http` or `https`.
        var scheme: String
        /// The host without brackets.
        var host: String
        /// The port connected to (the scheme's default when the URL names none).
        var port: Int
        /// The port the URL names, unless it is the scheme's default.
        var explicitPort: Int?
        /// The host's address when the host is an IP literal.
        var literal: [UInt8]?
        var percentEncodedPath: String
        var percentEncodedQuery: String?
        /// The `Host` header the URL stands for.
        var hostHeader: String
    }

    /// Reads `url`; refuses anything but an `http(s)` URL without credentials whose host is a name (letters, digits,
    /// `-`, `_`, `.`), a dotted-quad IPv4 address or a bracketed IPv6 address, read the same by Foundation's `URL`
    /// (what the HTTP client parses with).
    static func parse(_ url: String) throws(WebhookTargetError) -> ParsedURL {
        let invalid = WebhookTargetError(code: .invalidURL, message: "the URL must be an http or https URL of at most \(maximumURLBytes) bytes")
        guard url.utf8.count <= maximumURLBytes, let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let written = components.percentEncodedHost, !written.isEmpty
        else {
            throw invalid
        }
        guard components.user == nil, components.password == nil else {
            throw WebhookTargetError(code: .credentials, message: "the URL must not carry credentials")
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port ?? defaultPort
        guard (1...65_535).contains(port) else { throw WebhookTargetError(code: .invalidURL, message: "the port must be 1…65535") }
        let bracketed = written.hasPrefix("[") && written.hasSuffix("]") && written.count > 2
        let host = (bracketed ? String(written.dropFirst().dropLast()) : written).lowercased()
        // The HTTP client parses the string with URL: a URL it reads another host from is not checked, it is refused.
        guard let foundation = URL(string: url), foundation.host?.lowercased() == host else {
            throw WebhookTargetError(code: .invalidURL, message: "the URL's host is ambiguous")
        }
        let literal: [UInt8]?
        if bracketed {
            // A zone (`%25eth0`) or anything else inet_pton does not take is refused.
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), let address = parseIPv6(host) else {
                throw WebhookTargetError(code: .invalidURL, message: "the URL's IPv6 address is malformed")
            }
            literal = address
        } else {
            guard host.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }) else {
                throw WebhookTargetError(code: .invalidURL, message: "the URL's host must be a DNS name or an IP address")
            }
            literal = try ipv4Literal(host)
        }
        let explicitPort = port == defaultPort ? nil : port
        return ParsedURL(
            scheme: scheme, host: host, port: port, explicitPort: explicitPort, literal: literal,
            percentEncodedPath: components.percentEncodedPath, percentEncodedQuery: components.percentEncodedQuery,
            hostHeader: written + (explicitPort.map { ":\($0)" } ?? ""))
    }

    /// The address of a host that is a dotted-quad IPv4 address (`nil`: the host is a name). A host whose last label
    /// is a number (decimal or `0x` hex, as the WHATWG URL standard and inet_aton read it) but that is not four
    /// decimal parts of 0…255 without leading zeros is refused: `2130706433`, `0177.0.0.1`, `0x7f.0.0.1` and
    /// `127.1` all mean 127.0.0.1 to some resolvers.
    static func ipv4Literal(_ host: String) throws(WebhookTargetError) -> [UInt8]? {
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
        guard let last = labels.last, isNumber(last) else { return nil }
        let refused = WebhookTargetError(
            code: .nonCanonicalAddress,
            message: "\(host.prefix(100)) is a number but not a dotted-quad IPv4 address (a.b.c.d, decimal)")
        guard labels.count == 4, !host.hasSuffix(".") else { throw refused }
        var bytes: [UInt8] = []
        for label in labels {
            guard !label.isEmpty, label.count <= 3, label.allSatisfy({ $0.isASCII && $0.isNumber }), label == "0" || !label.hasPrefix("0"),
                let value = UInt8(label)
            else {
                throw refused
            }
            bytes.append(value)
        }
        return bytes
    }

    /// Whether a label counts as a number: decimal digits, or `0x` and hex digits (also none).
    private static func isNumber(_ label: Substring) -> Bool {
        guard !label.isEmpty else { return false }
        if label.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let lower = label.lowercased()
        return lower.hasPrefix("0x") && lower.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit }
    }

    /// The 16 bytes of an IPv6 address in text (`nil`: not one).
    static func parseIPv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// The 4 bytes of a dotted-quad IPv4 address (`nil`: not one).
    static func parseIPv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// IPv4 ranges that are not public (IANA special-purpose registry): this network, private, shared (CGNAT),
    /// loopback, link-local (the metadata service), IETF protocol assignments, TEST-NETs, the 6to4 relay anycast,
    /// benchmarking, multicast, reserved and broadcast.
    static let nonPublicIPv4: [(prefix: [UInt8], length: Int)] = [
        ([0, 0, 0, 0], 8), ([10, 0, 0, 0], 8), ([100, 64, 0, 0], 10), ([127, 0, 0, 0], 8), ([169, 254, 0, 0], 16),
        ([172, 16, 0, 0], 12), ([192, 0, 0, 0], 24), ([192, 0, 2, 0], 24), ([192, 88, 99, 0], 24), ([192, 168, 0, 0], 16),
        ([198, 18, 0, 0], 15), ([198, 51, 100, 0], 24), ([203, 0, 113, 0], 24), ([224, 0, 0, 0], 4), ([240, 0, 0, 0], 4),
    ]

    /// IPv6 ranges that are not public. Only global unicast (2000::/3) is public at all, which already excludes the
    /// unspecified, loopback, IPv4-compatible (::/96), IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48),
    /// discard (100::/64), unique local, link-local, site-local (fec0::/10) and multicast ranges (listed all the same,
    /// for the reader); inside it the IETF protocol assignments (2001::/23, Teredo 2001::/32 among them), documentation
    /// (2001:db8::/32, 3fff::/20) and 6to4 (2002::/16) are refused.
    static let nonPublicIPv6: [(prefix: [UInt8], length: Int)] = [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0], 96),
        ([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96),
        ([0, 0x64, 0xff, 0x9b, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 48),
        ([0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 64),
        ([0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 23),
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 32),
        ([0x20, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 16),
        ([0x3f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 20),
        ([0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 7),
        ([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10),
        ([0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10),
        ([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8),
    ]

    /// Whether an address (4 or 16 bytes) may be a webhook target: not in ``nonPublicIPv4`` or ``nonPublicIPv6``,
    /// and for IPv6 in global unicast (2000::/3). Anything else (another length) is not.
    static func isPublic(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4:
            return !nonPublicIPv4.contains { matches(address, $0.prefix, $0.length) }
        case 16:
            return address[0] & 0xe0 == 0x20 && !nonPublicIPv6.contains { matches(address, $0.prefix, $0.length) }
        default:
            return false
        }
    }

    /// Whether the first `length` bits of `address` are those of `prefix`.
    private static func matches(_ address: [UInt8], _ prefix: [UInt8], _ length: Int) -> Bool {
        for index in 0..<((length + 7) / 8) {
            let bits = min(8, length - index * 8)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if address[index] & mask != prefix[index] & mask { return false }
        }
        return true
    }

    /// An address in text: dotted quad, or IPv6 as inet_ntop writes it (`::ffff:127.0.0.1`, `2001:db8::1`).
    static func format(_ address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        guard address.count == 16 else { return "?" }
        var value = in6_addr()
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: address) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &value, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
