import Synchronization

/// The percent-encoded form of the session token, as presigned URLs carry it, remembered for the token
/// used last: temporary credentials live for hours, and their 400-or-more-character token would otherwise
/// be scanned and encoded again for every URL.
enum EncodedSessionToken {
    private static let last = Mutex<(token: String, encoded: [UInt8])?>(nil)

    /// The encoded bytes of `token` (every byte but `A-Z a-z 0-9 - _ . ~` as `%XY`).
    static func bytes(for token: String) -> [UInt8] {
        // String equality is a pointer comparison when the token is the very string encoded last.
        if let cached = last.withLock({ $0?.token == token ? $0?.encoded : nil }) { return cached }
        let encoded = URIEncoding.encodedBytes(token)
        last.withLock { $0 = (token, encoded) }
        return encoded
    }
}
