/// A small set of lower-case header names, matched against raw name bytes without building a `String`.
///
/// The names are kept back to back in one array, each after its two length bytes, with a bit set per name length,
/// so that a header whose length matches no name is rejected with one test, and a signer copy costs one retain.
struct HeaderNameSet: Sendable, Hashable {
    /// `length (2 bytes, big-endian), bytes…` per name, names sorted.
    private var entries: [UInt8] = []
    /// Bit `n` is set when a name has `n` bytes (names of 63 bytes or more set bit 63).
    private var lengths: UInt64 = 0

    init(_ names: some Sequence<String>) {
        for name in Set(names.map { Array($0.lowercased().utf8) }).sorted(by: { $0.lexicographicallyPrecedes($1) })
        where name.count <= Int(UInt16.max) {
            entries.append(UInt8(name.count >> 8))
            entries.append(UInt8(name.count & 0xFF))
            entries.append(contentsOf: name)
            lengths |= 1 << UInt64(min(name.count, 63))
        }
    }

    /// Whether `name` (already lower-case) is in the set.
    func contains(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lengths & (1 << UInt64(min(name.count, 63))) != 0 else { return false }
        return entries.withUnsafeBufferPointer { entries in
            var index = 0
            while index < entries.count {
                let length = Int(entries[index]) << 8 | Int(entries[index + 1])
                let start = index + 2
                index = start + length
                if length == name.count, UnsafeBufferPointer(rebasing: entries[start..<index]).elementsEqual(name) { return true }
            }
            return false
        }
    }
}
