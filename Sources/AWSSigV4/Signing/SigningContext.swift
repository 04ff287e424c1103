import Foundation
import Synchronization

/// What signing at one second with one set of credentials needs besides the request: the date's two forms, the signing key
/// and the percent-encoded credentials of presigned URLs.
///
/// The contexts made last are kept, one per scope for the last few (a service signs for S3 and SQS in turns): a process
/// signs many requests a second with the same credentials, and each then costs one lock here instead of one in each of
/// ``AMZDate``, ``SigningKeyCache`` and the credentials' encoder.
final class SigningContext: Sendable {
    let date: AMZDate
    let key: SigningKey
    let encoded: EncodedCredentials

    private init(date: AMZDate, key: SigningKey, encoded: EncodedCredentials) {
        self.date = date
        self.key = key
        self.encoded = encoded
    }

    /// A context kept, and what it was made for.
    fileprivate struct Recent: Sendable {
        let second: Int64
        let accessKeyID: String
        let secret: String
        let token: String?
        let region: String
        let service: String
        /// The key cache asked (`nil`: the shared one): a signer with a cache of its own gets its keys from there.
        let keyCache: SigningKeyCache?
        let context: SigningContext

        /// Whether this context is the one of signing at `second` with `credentials` for `region` and `service` from `keyCache`.
        func matches(
            second: Int64, credentials: borrowing Credentials, region: borrowing String, service: borrowing String,
            keyCache: SigningKeyCache?
        ) -> Bool {
            // String equality is a comparison of the strings' storage when they are the very ones seen before.
            self.second == second && secret == credentials.secretAccessKey && accessKeyID == credentials.accessKeyID
                && token == credentials.sessionToken && self.region == region && self.service == service && self.keyCache === keyCache
        }
    }

    /// The contexts kept, the one used last first: one store for the process (tests make their own).
    final class RecentContexts: Sendable {
        fileprivate let entries = Mutex<[Recent]>([])
        static let shared = RecentContexts()
    }

    /// How many contexts are kept.
    static let capacity = 4

    /// The context of signing at `date` with `credentials` for `region` and `service`, its key from `keyCache` (`nil`: the
    /// shared cache).
    static func of(
        date: Date, credentials: borrowing Credentials, region: borrowing String, service: borrowing String,
        keyCache: SigningKeyCache?, recent store: RecentContexts = .shared
    ) -> SigningContext {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        let cached = store.entries.withLock { recent -> SigningContext? in
            for index in recent.indices
            where recent[index].matches(second: second, credentials: credentials, region: region, service: service, keyCache: keyCache) {
                if index > 0 { recent.swapAt(0, index) }
                return recent[0].context
            }
            return nil
        }
        if let cached { return cached }
        let amzDate = AMZDate(date)
        let key = (keyCache ?? .shared).signingKey(secret: credentials.secretAccessKey, day: amzDate.day, region: region, service: service)
        let encoded = EncodedCredentials(accessKeyID: credentials.accessKeyID, credentialScope: key.credentialScope, token: credentials.sessionToken)
        let context = SigningContext(date: amzDate, key: key, encoded: encoded)
        let entry = Recent(
            second: second, accessKeyID: credentials.accessKeyID, secret: credentials.secretAccessKey, token: credentials.sessionToken,
            region: copy region, service: copy service, keyCache: keyCache, context: context)
        store.entries.withLock { recent in
            // A new second makes every context older than it useless.
            recent.removeAll { $0.second != second }
            if recent.count >= capacity { recent.removeLast() }
            recent.insert(entry, at: 0)
        }
        return context
    }
}
