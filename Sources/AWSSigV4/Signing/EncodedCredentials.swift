import Synchronization

/// The percent-encoded credential values a presigned URL carries, `X-Amz-Credential` (`AKID%2F20150830%2F…`) and
/// `X-Amz-Security-Token`, remembered for the credentials used last: temporary credentials live for hours and a key's
/// scope for a day, and their 400-or-more characters would otherwise be scanned and encoded again for every URL.
/// A class: handing the remembered values out costs one reference count.
final class EncodedCredentials: Sendable {
    /// The encoded `accessKeyID/credentialScope`.
    let credential: [UInt8]
    /// The encoded session token, if any (every byte but `A-Z a-z 0-9 - _ . ~` as `%XY`).
    let token: [UInt8]?

    private init(credential: [UInt8], token: [UInt8]?) {
        self.credential = credential
        self.token = token
    }

    private struct Entry {
        let accessKeyID: String
        let credentialScope: String
        let token: String?
        let encoded: EncodedCredentials
    }

    private static let last = Mutex<Entry?>(nil)

    /// The encoded values of these credentials and scope.
    static func of(accessKeyID: String, credentialScope: String, token: String?) -> EncodedCredentials {
        // String equality is a pointer comparison when the strings are the very ones encoded last.
        let cached = last.withLock { entry -> EncodedCredentials? in
            guard let entry, entry.credentialScope == credentialScope, entry.accessKeyID == accessKeyID, entry.token == token else { return nil }
            return entry.encoded
        }
        if let cached { return cached }
        var credential = URIEncoding.encodedBytes(accessKeyID)
        credential.append(contentsOf: "%2F".utf8)
        credential.append(contentsOf: URIEncoding.encodedBytes(credentialScope))
        let encoded = EncodedCredentials(credential: credential, token: token.map { URIEncoding.encodedBytes($0) })
        last.withLock { $0 = Entry(accessKeyID: accessKeyID, credentialScope: credentialScope, token: token, encoded: encoded) }
        return encoded
    }
}
