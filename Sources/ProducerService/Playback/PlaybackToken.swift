import Crypto
import Foundation
import VideoCore

/// What a playback URL carries instead of an API key (players cannot send headers): the video and an expiry,
/// signed with HMAC-SHA256 under a key derived from the producer's secret for this purpose alone, so it cannot be
/// forged, turned into an upload token, or used for another video or after it expires.
struct PlaybackToken: Codable, Sendable, Equatable {
    /// The video.
    var v: UUID
    /// Expiry, seconds since 1970.
    var e: Int64

    var videoID: UUID { v }
    var expires: Date { Date(timeIntervalSince1970: TimeInterval(e)) }

    init(videoID: UUID, expires: Date) {
        v = videoID
        e = Int64(expires.timeIntervalSince1970.rounded(.down))
    }

    /// The signing key: HMAC(secret, "videoqueue playback token").
    static func key(_ secret: [UInt8]) -> SymmetricKey {
        SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data("videoqueue playback token".utf8), using: SymmetricKey(data: secret))))
    }

    /// `base64url(json).base64url(hmac)`: URL-safe, so it can be a path segment.
    func signed(with secret: [UInt8]) throws -> String {
        let payload = try JSONEncoder().encode(self)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: Self.key(secret))
        return Base64URL.encode(payload) + "." + Base64URL.encode(Data(mac))
    }

    /// The token's content if it is well-formed, signed with `secret` and not expired; else `nil` (a forged, altered
    /// or expired token, told apart by nobody: all are a 404).
    static func verify(_ token: String, secret: [UInt8], now: Date = Date()) -> PlaybackToken? {
        let parts = token.split(separator: ".")
        guard token.utf8.count <= 512, parts.count == 2, let payload = Base64URL.decode(parts[0]), let mac = Base64URL.decode(parts[1]),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key(secret)),
              let value = try? JSONDecoder().decode(PlaybackToken.self, from: payload),
              value.expires > now else { return nil }
        return value
    }
}
