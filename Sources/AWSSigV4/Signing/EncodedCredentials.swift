import Synchronization

/// The percent-encoded credential values a presigned URL carries, `X-Amz-Credential` (`AKID%2F20150830%2F…`) and
/// `X-Amz-Security-Token`, made with a ``SigningContext`` (once per second and scope). The encoded session token is
/// remembered for the token used last: temporary credentials live for hours, and their 400-or-more characters would
/// otherwise be scanned and encoded again for every scope and second. A class: handing the values out costs one
/// reference count.
final class EncodedCredentials: Sendable {
    /// The encoded `accessKeyID/credentialScope`.
    let credential: [UInt8]
    /// The encoded session token, if any (every byte but `A-Z a-z 0-9 - _ . ~` as `%XY`).
    let token: [UInt8]?

    /// The encoded values of these credentials and scope.
    init(accessKeyID: String, credentialScope: String, token: String?) {
        var credential = URIEncoding.encodedBytes(accessKeyID)
        credential.append(contentsOf: "%2F".utf8)
        credential.append(contentsOf: URIEncoding.encodedBytes(credentialScope))
        self.credential = credential
        self.token = token.map(Self.encoded(token:))
    }

    /// The token encoded last, and its encoding.
    private static let lastToken = Mutex<(token: String, encoded: [UInt8])?>(nil)

    private static func encoded(token: String) -> [UInt8] {
        // String equality is a comparison of the strings' storage when the token is the very one encoded last.
        if let cached = lastToken.withLock({ $0?.token == token ? $0?.encoded : nil }) { return cached }
        let encoded = URIEncoding.encodedBytes(token)
        lastToken.withLock { $0 = (token, encoded) }
        return encoded
    }
}
