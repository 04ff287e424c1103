import Synchronization

/// A thread-safe cache of derived signing keys per (secret, day, region, service).
///
/// Deriving a key costs four HMACs; a process signs thousands of requests a day with the same one.
/// The cache is bounded: when full it is cleared (keys change once a day, so it refills at once).
public final class SigningKeyCache: Sendable {
    /// The process-wide cache used by default.
    public static let shared = SigningKeyCache()

    private struct Key: Hashable {
        var secret: String
        var day: String
        var region: String
        var service: String
    }

    private let entries: Mutex<[Key: SigningKey]>
    private let capacity: Int

    /// Creates an empty cache holding at most `capacity` keys.
    public init(capacity: Int = 64) {
        self.entries = Mutex([:])
        self.capacity = max(1, capacity)
    }

    /// The number of keys held.
    public var count: Int { entries.withLock { $0.count } }

    /// The signing key of (secret, day, region, service), derived on first use.
    public func signingKey(secret: String, day: String, region: String, service: String) -> SigningKey {
        let key = Key(secret: secret, day: day, region: region, service: service)
        if let cached = entries.withLock({ $0[key] }) { return cached }
        let derived = SigningKey(secretAccessKey: secret, day: day, region: region, service: service)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = derived
        }
        return derived
    }
}
