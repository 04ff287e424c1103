import Crypto
import Foundation
import Synchronization
import VideoStore

/// The API keys that authenticated in the last minute, by the SHA-256 of what was presented: a valid key keeps
/// working from a client address that has spent its budget of failed authentications (an attacker behind the same
/// proxy or NAT cannot lock its neighbours out), while unknown keys from that address are refused without a
/// database lookup. Bounded: at most ``capacity`` entries, each kept ``lifetime``.
final class RecentKeys: Sendable {
    /// How long a key is remembered after it authenticated (a revoked key stops working through this path within it).
    static let lifetime: Duration = .seconds(60)
    /// The most keys remembered.
    static let capacity = 10_000

    private let entries = Mutex<[Data: (key: APIKey, until: ContinuousClock.Instant)]>([:])

    /// Remembers that `presented` authenticated as `key`.
    func remember(_ presented: String, as key: APIKey, now: ContinuousClock.Instant = .now) {
        let digest = Self.digest(presented)
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { $0.value.until > now }
                if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[digest] = (key, now + Self.lifetime)
        }
    }

    /// The key `presented` authenticated as within the lifetime; `nil` otherwise.
    func key(for presented: String, now: ContinuousClock.Instant = .now) -> APIKey? {
        let digest = Self.digest(presented)
        return entries.withLock { entries in
            guard let entry = entries[digest], entry.until > now else { return nil }
            return entry.key
        }
    }

    private static func digest(_ text: String) -> Data { Data(SHA256.hash(data: Data(text.utf8))) }
}
