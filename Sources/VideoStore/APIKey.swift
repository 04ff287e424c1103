import Foundation

/// An API key's stored description. The key itself is never stored: only its SHA-256.
public struct APIKey: Sendable, Equatable, Identifiable {
    /// The key's id (for listing and revoking).
    public var id: UUID
    /// Whose videos the key acts on.
    public var owner: String
    /// A label for people ("laptop", "ci").
    public var name: String
    /// Whether the key may act on every owner's videos.
    public var isAdmin: Bool
    /// When the key was created.
    public var createdAt: Date
    /// When the key was revoked; a revoked key no longer authenticates.
    public var revokedAt: Date?

    public init(id: UUID, owner: String, name: String, isAdmin: Bool, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.owner = owner
        self.name = name
        self.isAdmin = isAdmin
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A newly created API key: the stored description and the plaintext key, which is shown this once only.
public struct CreatedAPIKey: Sendable, Equatable {
    /// The stored description.
    public var key: APIKey
    /// The plaintext key, `vq_` and 43 base64url characters (32 random bytes).
    public var plaintext: String

    public init(key: APIKey, plaintext: String) {
        self.key = key
        self.plaintext = plaintext
    }
}
