import Crypto
import Foundation
import VideoCore

extension SQLStore {
    /// The stored form of a key: lower-case hex SHA-256 of its UTF-8.
    static func keyHash(_ plaintext: String) -> String {
        SHA256.hash(data: Data(plaintext.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// `vq_` + 32 bytes from the system's CSPRNG, base64url without padding.
    static func newPlaintextKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "vq_" + Base64URL.encode(Data(bytes))
    }

    func createAPIKey(owner: String, name: String, isAdmin: Bool) async throws -> CreatedAPIKey {
        try Self.checkPlainText(owner, "owner")
        try Self.checkPlainText(name, "the key's name")
        let plaintext = Self.newPlaintextKey()
        let rows = try await backend.query(
            """
            INSERT INTO api_keys (id, owner, name, key_hash, is_admin, created_at)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING *
            """,
            [
                .text(UUID().uuidString), .text(owner), .text(name), .text(Self.keyHash(plaintext)),
                .int(isAdmin ? 1 : 0), .int(Self.nowMilliseconds()),
            ])
        guard let row = rows.first else { throw VideoStoreError(code: .database, message: "the insert returned no row") }
        return CreatedAPIKey(key: try APIKey(row: row), plaintext: plaintext)
    }

    func apiKey(forPlaintext plaintext: String) async throws -> APIKey? {
        try await backend.query(
            "SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
            [.text(Self.keyHash(plaintext))]
        ).first.map(APIKey.init(row:))
    }

    func apiKeys() async throws -> [APIKey] {
        try await backend.query("SELECT * FROM api_keys ORDER BY created_at, id", []).map(APIKey.init(row:))
    }

    func revokeAPIKey(id: UUID) async throws -> Bool {
        !(try await backend.query(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id",
            [.int(Self.nowMilliseconds()), .text(id.uuidString)])).isEmpty
    }
}
