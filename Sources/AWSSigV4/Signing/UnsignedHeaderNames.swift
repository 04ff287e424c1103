/// The headers a signer leaves unsigned, as given and in the form the canonical request matches against, in one
/// object: copying a signer's options costs one reference count.
final class UnsignedHeaderNames: Sendable, Hashable {
    /// The names as given.
    let names: Set<String>
    /// The names, lower-cased, for matching raw header name bytes.
    let set: HeaderNameSet

    init(_ names: Set<String>) {
        self.names = names
        self.set = HeaderNameSet(names)
    }

    static func == (lhs: UnsignedHeaderNames, rhs: UnsignedHeaderNames) -> Bool {
        lhs === rhs || lhs.names == rhs.names
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(names)
    }
}
