/// A small set of lower-case header names, matched against raw name bytes without building a `String`.
struct HeaderNameSet: Sendable, Hashable {
    private var names: [[UInt8]]

    init(_ names: some Sequence<String>) {
        self.names = names.map { Array($0.lowercased().utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Whether `name` (already lower-case) is in the set.
    func contains(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        for candidate in names where candidate.count == name.count {
            if candidate.withUnsafeBufferPointer({ $0.elementsEqual(name) }) { return true }
        }
        return false
    }
}
