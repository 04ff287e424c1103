import Crypto

/// An HMAC-SHA256 key whose inner and outer SHA-256 states are computed once.
///
/// Creating swift-crypto's `HMAC<SHA256>` re-derives the padded key on every call (about 3 µs);
/// a SigV4 signing key is reused for a whole day, so keeping the keyed states and copying them
/// (copy-on-write) makes each signature's HMAC cost two compressions of the message only.
public struct HMACKey: Sendable {
    private var inner: SHA256
    private var outer: SHA256

    /// Derives the keyed states from raw key bytes (keys longer than the block size are hashed first).
    public init(key: some Sequence<UInt8>) {
        var keyBytes = Array(key)
        if keyBytes.count > Self.blockSize {
            keyBytes = Array(SHA256.hash(data: keyBytes))
        }
        keyBytes.append(contentsOf: repeatElement(0, count: Self.blockSize - keyBytes.count))
        var innerPad = [UInt8](repeating: 0, count: Self.blockSize)
        var outerPad = [UInt8](repeating: 0, count: Self.blockSize)
        for index in 0..<Self.blockSize {
            innerPad[index] = keyBytes[index] ^ 0x36
            outerPad[index] = keyBytes[index] ^ 0x5C
        }
        inner = SHA256()
        inner.update(data: innerPad)
        outer = SHA256()
        outer.update(data: outerPad)
    }

    /// Derives the keyed states from the UTF-8 bytes of a string.
    public init(key: String) {
        self.init(key: Array(key.utf8))
    }

    private static let blockSize = 64

    /// The HMAC-SHA256 of `message`.
    public func authenticationCode(for message: UnsafeRawBufferPointer) -> SHA256.Digest {
        var innerHash = inner
        innerHash.update(bufferPointer: message)
        let innerDigest = innerHash.finalize()
        var outerHash = outer
        innerDigest.withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        return outerHash.finalize()
    }

    /// The HMAC-SHA256 of the bytes of `message`.
    public func authenticationCode(for message: some Sequence<UInt8>) -> SHA256.Digest {
        if let digest = message.withContiguousStorageIfAvailable({ authenticationCode(for: UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(message).withUnsafeBytes { authenticationCode(for: $0) }
    }

    /// The HMAC-SHA256 of the UTF-8 bytes of `message`.
    public func authenticationCode(for message: String) -> SHA256.Digest {
        var message = message
        return message.withUTF8 { authenticationCode(for: UnsafeRawBufferPointer($0)) }
    }

    /// A new key whose bytes are the HMAC of `message` under this key (one step of SigV4's key derivation).
    func derive(_ message: String) -> HMACKey {
        HMACKey(key: authenticationCode(for: message))
    }
}
