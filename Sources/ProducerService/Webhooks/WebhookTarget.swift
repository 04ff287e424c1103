import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a webhook may be sent: an `http(s)` URL whose host resolves only to public addresses, unless private targets
/// are allowed (`VIDEOQUEUE_WEBHOOK_ALLOW_PRIVATE`): loopback, private (RFC 1918, unique local), link-local (the
/// instance metadata service at 169.254.169.254 included), shared (100.64/10), unspecified, multicast and
/// IPv4-mapped forms of these are refused, so a tenant cannot make the producer call inside its network (SSRF).
/// Checked when an endpoint is registered and again before every delivery (a name may resolve elsewhere later).
enum WebhookTarget {
    /// The longest URL accepted.
    static let maximumURLBytes = 2048

    /// Why `url` is not a target (`nil`: it is).
    static func problem(with url: String, allowPrivate: Bool) -> String? {
        guard url.utf8.count <= maximumURLBytes, let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = components.host, !host.isEmpty else {
            return "the URL must be an http or https URL of at most \(maximumURLBytes) bytes"
        }
        guard components.user == nil, components.password == nil else { return "the URL must not carry credentials" }
        guard !allowPrivate else { return nil }
        let name = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let addresses = resolve(name, port: components.port ?? (scheme == "https" ? 443 : 80))
        guard !addresses.isEmpty else { return "\(name) does not resolve" }
        if let blocked = addresses.first(where: { !isPublic($0) }) {
            return "\(name) resolves to \(format(blocked)), which is not a public address"
        }
        return nil
    }

    /// The addresses `host` resolves to (IPv4 as 4 bytes, IPv6 as 16).
    static func resolve(_ host: String, port: Int) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor, addresses.count < 64 {
            if let address = info.pointee.ai_addr {
                switch Int32(info.pointee.ai_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var value = pointer.pointee.sin_addr
                        addresses.append(withUnsafeBytes(of: &value) { Array($0) })
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var value = pointer.pointee.sin6_addr
                        addresses.append(withUnsafeBytes(of: &value) { Array($0) })
                    }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    /// Whether an address may be a webhook target.
    static func isPublic(_ address: [UInt8]) -> Bool {
        if address.count == 16 {
            if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xff && address[11] == 0xff {
                return isPublic(Array(address[12..<16]))   // IPv4-mapped
            }
            if address.allSatisfy({ $0 == 0 }) { return false }                        // ::
            if address[0..<15].allSatisfy({ $0 == 0 }) && address[15] == 1 { return false }   // ::1
            if address[0] & 0xfe == 0xfc { return false }                               // fc00::/7 unique local
            if address[0] == 0xfe && address[1] & 0xc0 == 0x80 { return false }         // fe80::/10 link-local
            if address[0] == 0xff { return false }                                      // multicast
            if address[0..<12].allSatisfy({ $0 == 0 }) { return false }                 // IPv4-compatible (deprecated)
            return true
        }
        guard address.count == 4 else { return false }
        let (a, b) = (address[0], address[1])
        switch a {
        case 0, 10, 127: return false
        case 100 where b & 0xc0 == 64: return false        // 100.64/10 shared (CGNAT)
        case 169 where b == 254: return false               // link-local, the metadata service
        case 172 where b & 0xf0 == 16: return false         // 172.16/12
        case 192 where b == 168: return false               // 192.168/16
        case 192 where b == 0 && address[2] == 0: return false
        case 198 where b & 0xfe == 18: return false         // 198.18/15 benchmarking
        case 224...255: return false                        // multicast, reserved, broadcast
        default: return true
        }
    }

    static func format(_ address: [UInt8]) -> String {
        address.count == 4 ? address.map(String.init).joined(separator: ".")
            : stride(from: 0, to: address.count, by: 2).map { String(format: "%x", Int(address[$0]) << 8 | Int(address[$0 + 1])) }.joined(separator: ":")
    }
}
