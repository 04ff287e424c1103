import Crypto
import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct APIKeyTests {
    @Test(arguments: StoreBackend.allCases)
    func createLookUpRevoke(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let alice = try await store.createAPIKey(owner: "alice", name: "laptop", isAdmin: false)
            let admin = try await store.createAPIKey(owner: "ops", name: "admin ' key", isAdmin: true)
            #expect(alice.plaintext.hasPrefix("vq_") && alice.plaintext.count == 46)
            #expect(alice.plaintext.dropFirst(3).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect(alice.plaintext != admin.plaintext)
            #expect(alice.key.owner == "alice" && !alice.key.isAdmin && alice.key.revokedAt == nil)

            #expect(try await store.apiKey(forPlaintext: alice.plaintext) == alice.key)
            #expect(try await store.apiKey(forPlaintext: admin.plaintext)?.isAdmin == true)
            #expect(try await store.apiKey(forPlaintext: alice.plaintext + "x") == nil)
            #expect(try await store.apiKey(forPlaintext: "") == nil)
            #expect(try await store.apiKey(forPlaintext: "' OR 1=1 --") == nil)
            #expect(
                try await store.apiKeys().map(\.id).sorted { $0.uuidString < $1.uuidString }
                    == [alice.key.id, admin.key.id].sorted { $0.uuidString < $1.uuidString })

            #expect(try await store.revokeAPIKey(id: alice.key.id))
            #expect(try await store.revokeAPIKey(id: alice.key.id) == false, "already revoked")
            #expect(try await store.revokeAPIKey(id: UUID()) == false)
            #expect(try await store.apiKey(forPlaintext: alice.plaintext) == nil, "a revoked key does not match")
            #expect(try await store.apiKeys().first { $0.id == alice.key.id }?.revokedAt != nil)
            #expect(try await store.apiKey(forPlaintext: admin.plaintext) != nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func onlyTheHashIsStored(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let created = try await store.createAPIKey(owner: "alice", name: "ci", isAdmin: false)
            let sql = try #require((store as? SQLiteVideoStore)?.store ?? (store as? PostgresVideoStore)?.store)
            let rows = try await sql.backend.query("SELECT * FROM api_keys", [])
            #expect(rows.count == 1)
            let secretPart = String(created.plaintext.dropFirst(3))
            for (column, value) in try #require(rows.first).values {
                if case .text(let text) = value {
                    #expect(!text.contains(secretPart), "column \(column) holds the key")
                }
            }
            let expected = SHA256.hash(data: Data(created.plaintext.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(try rows.first?.text("key_hash") == expected)
        }
    }
}
