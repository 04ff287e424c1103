import Foundation
import Synchronization

/// What signing at one second with one set of credentials needs besides the request: the date's two forms, the signing key
/// and the percent-encoded credentials of presigned URLs.
///
/// The last context made is kept: a process signs many requests a second with the same credentials, and each then costs
/// one lock here instead of one in each of ``AMZDate``, ``SigningKeyCache`` and the credentials' encoder.
final class SigningContext: Sendable {
    let date: AMZDate
    let key: SigningKey
    let encoded: EncodedCredentials

    private init(date: AMZDate, key: SigningKey, encoded: EncodedCredentials) {
        self.date = date
        self.key = key
        self.encoded = encoded
    }

    /// The context made last, and what it was made for.
    private struct Recent: Sendable {
        let second: Int64
        let accessKeyID: String
        let secret: String
        let token: String?
        let region: String
        let service: String
        /// The key cache asked (`nil`: the shared one): a signer with a cache of its own gets its keys from there.
        let keyCache: SigningKeyCache?
        let context: SigningContext
    }

    private static let recent = Mutex<Recent?>(nil)

    /// The context of signing at `date` with `credentials` for `region` and `service`, its key from `keyCache` (`nil`: the
    /// shared cache).
    static func of(date: Date, credentials: borrowing Credentials, region: borrowing String, service: borrowing String,
                   keyCache: SigningKeyCache?) -> SigningContext {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        let cached = recent.withLock { recent -> SigningContext? in
            // String equality is a comparison of the strings' storage when they are the very ones seen last.
            guard let recent, recent.second == second, recent.secret == credentials.secretAccessKey, recent.accessKeyID == credentials.accessKeyID,
                  recent.token == credentials.sessionToken, recent.region == region, recent.service == service,
                  recent.keyCache === keyCache else { return nil }
            return recent.context
        }
        if let cached { return cached }
        let amzDate = AMZDate(date)
        let key = (keyCache ?? .shared).signingKey(secret: credentials.secretAccessKey, day: amzDate.day, region: region, service: service)
        let encoded = EncodedCredentials.of(accessKeyID: credentials.accessKeyID, credentialScope: key.credentialScope, token: credentials.sessionToken)
        let context = SigningContext(date: amzDate, key: key, encoded: encoded)
        let entry = Recent(second: second, accessKeyID: credentials.accessKeyID, secret: credentials.secretAccessKey, token: credentials.sessionToken,
                           region: copy region, service: copy service, keyCache: keyCache, context: context)
        recent.withLock { $0 = entry }
        return context
    }
}
