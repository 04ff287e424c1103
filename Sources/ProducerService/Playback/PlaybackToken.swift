import Crypto
import Foundation

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

    /// The token (``SignedToken``, so it can be a path segment).
    func signed(with secret: [UInt8]) throws -> String {
        try SignedToken.sign(self, key: Self.key(secret))
    }

    /// The token's content if it is well-formed, signed with `secret` and not expired; else `nil` (a forged, altered
    /// or expired token, told apart by nobody: all are a 404).
    static func verify(_ token: String, secret: [UInt8], now: Date = Date()) -> PlaybackToken? {
        guard let value = SignedToken.open(token, as: PlaybackToken.self, key: key(secret), maximumBytes: 512), value.expires > now else {
            return nil
        }
        return value
    }
}
