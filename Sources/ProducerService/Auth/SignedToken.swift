import Crypto
import Foundation
import VideoCore

/// The form of the producer's stateless tokens (direct uploads, playback): `base64url(json).base64url(mac)`, the MAC an
/// HMAC-SHA256 of the JSON under the token kind's key. URL-safe, so a token can be a path segment.
enum SignedToken {
    /// `value` as a token signed with `key`.
    static func sign<T: Encodable>(_ value: T, key: SymmetricKey) throws -> String {
        let payload = try JSONEncoder().encode(value)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Base64URL.encode(payload) + "." + Base64URL.encode(Data(mac))
    }

    /// The value of `token` if it is at most `maximumBytes`, well-formed and signed with `key`; `nil` otherwise (expiry is
    /// the caller's to check).
    static func open<T: Decodable>(_ token: String, as type: T.Type, key: SymmetricKey, maximumBytes: Int) -> T? {
        let parts = token.split(separator: ".")
        guard token.utf8.count <= maximumBytes, parts.count == 2, let payload = Base64URL.decode(parts[0]), let mac = Base64URL.decode(parts[1]),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key)
        else { return nil }
        return try? JSONDecoder().decode(T.self, from: payload)
    }
}
