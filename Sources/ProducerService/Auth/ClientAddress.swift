import Foundation
import HTTPTypes
import NIOCore
import ServiceSupport

/// The address a request's failed authentications are counted against.
///
/// - Behind a proxy the connection's peer is the proxy, shared by every client: when the peer is one of
///   ``ProducerConfiguration/trustedProxies``, the client is the right-most `X-Forwarded-For` address that is not a
///   trusted proxy itself (what the proxy appended; anything to its left is the client's to forge).
/// - An IPv6 client counts by its /64, the block one host is usually given: rotating addresses inside it does not
///   buy a fresh budget.
enum ClientAddress {
    /// The counting key of a request from `peer` with `headers`.
    static func key(peer: SocketAddress?, headers: HTTPFields, trustedProxies: [IPNetwork]) -> String {
        guard var address = peer?.ipAddress else { return "unknown" }
        if !trustedProxies.isEmpty, trustedProxies.contains(where: { $0.contains(address) }),
            let forwarded = headers[values: HTTPField.Name("X-Forwarded-For") ?? .via].last
        {
            // Comma-separated hops, nearest last; at most the last 16 are looked at.
            let hops = forwarded.split(separator: ",").suffix(16).map { $0.trimmingCharacters(in: .whitespaces) }
            for hop in hops.reversed() {
                guard IPNetwork.parseAddress(hop) != nil else { break }
                address = hop
                if !trustedProxies.contains(where: { $0.contains(hop) }) { break }
            }
        }
        guard let bytes = IPNetwork.parseAddress(address), bytes.count == 16 else { return address }
        return bytes.prefix(8).map { String(format: "%02x", $0) }.joined() + "::/64"
    }
}

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`, or one address), for `VIDEOQUEUE_TRUSTED_PROXIES`.
struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    /// The network's address bytes (4 or 16).
    var bytes: [UInt8]
    /// The prefix length in bits.
    var prefixLength: Int

    /// Parses `a.b.c.d[/n]` or `x:y::z[/n]`; `nil` when malformed.
    init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let bytes = Self.parseAddress(String(parts[0])) else { return nil }
        let maximum = bytes.count * 8
        if parts.count == 2 {
            guard parts[1].count <= 3, parts[1].allSatisfy(\.isASCII), let length = Int(parts[1]), (0...maximum).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.bytes = bytes
    }

    /// Whether `address` (text) is inside the network (IPv4-mapped IPv6 addresses count as IPv4).
    func contains(_ address: String) -> Bool {
        guard var other = Self.parseAddress(address) else { return false }
        if other.count == 16, bytes.count == 4, other.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] { other = Array(other.suffix(4)) }
        guard other.count == bytes.count else { return false }
        var remaining = prefixLength
        for index in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if other[index] & mask != bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    var description: String { "\(bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : "ipv6")/\(prefixLength)" }

    /// The bytes of a numeric IPv4 (dotted quad only) or IPv6 address; `nil` for anything else (names included).
    static func parseAddress(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if text.contains("."), !text.contains(":"), inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if text.contains(":"), inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// A comma-separated list of networks (at most 256); throws naming `setting` and the first that does not parse.
    static func list(_ text: String, setting: String) throws(ConfigurationError) -> [IPNetwork] {
        var networks: [IPNetwork] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let network = IPNetwork(item) else {
                throw ConfigurationError(setting: setting, message: "'\(item.prefix(64))' is not an address or network")
            }
            networks.append(network)
        }
        guard networks.count <= 256 else { throw ConfigurationError(setting: setting, message: "lists more than 256 networks") }
        return networks
    }
}
