import Synchronization

/// A thread-safe cache of derived signing keys per (secret, day, region, service).
///
/// Deriving a key costs four HMACs; a process signs thousands of requests a day with the same one.
/// The cache is bounded: when full it is cleared (keys change once a day, so it refills at once).
/// The key used last is checked first, by string equality (a pointer comparison when the signer's
/// strings are the ones it was derived with), before the dictionary is hashed.
public final class SigningKeyCache: Sendable {
    /// The process-wide cache used by default.
    public static let shared = SigningKeyCache()

    private struct Key: Hashable {
        var secret: String
        var day: String
        var region: String
        var service: String
    }

    /// A derived key with what it was derived from; a class, so that handing out the last one costs one retain.
    private final class Entry: Sendable {
        let key: Key
        let value: SigningKey

        init(key: Key, value: SigningKey) {
            self.key = key
            self.value = value
        }

        func matches(secret: String, day: String, region: String, service: String) -> Bool {
            key.day == day && key.secret == secret && key.region == region && key.service == service
        }
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var last: Entry?
    }

    private let state: Mutex<State>
    private let capacity: Int

    /// Creates an empty cache holding at most `capacity` keys.
    public init(capacity: Int = 64) {
        self.state = Mutex(State())
        self.capacity = max(1, capacity)
    }

    /// The number of keys held.
    public var count: Int { state.withLock { $0.entries.count } }

    /// The signing key of (secret, day, region, service), derived on first use.
    public func signingKey(secret: String, day: String, region: String, service: String) -> SigningKey {
        let cached: SigningKey? = state.withLock { state in
            if let last = state.last, last.matches(secret: secret, day: day, region: region, service: service) {
                return last.value
            }
            guard let entry = state.entries[Key(secret: secret, day: day, region: region, service: service)] else { return nil }
            state.last = entry
            return entry.value
        }
        if let cached { return cached }
        let key = Key(secret: secret, day: day, region: region, service: service)
        let derived = SigningKey(secretAccessKey: secret, day: day, region: region, service: service)
        let entry = Entry(key: key, value: derived)
        state.withLock { state in
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = entry
            state.last = entry
        }
        return derived
    }
}
