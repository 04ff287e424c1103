import ArgumentParser
import Foundation
import ServiceSupport
import VideoStore

/// `producer keys create|list|revoke`: manages API keys (stored hashed; the key is shown once).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct DatabaseOptions: ParsableArguments {
        @Option(name: .customLong("database-url"), help: "SQLite path or postgres:// URL (DATABASE_URL).") var databaseURL: String?

        func store() async throws -> any VideoStore {
            let url = databaseURL ?? EnvironmentValues().string("DATABASE_URL", default: "videoqueue.sqlite")
            let store = try await DatabaseConfiguration(url: url).makeStore()
            try await store.migrate()
            return store
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key for an owner and print it (once).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The owner the key acts for.") var owner: String
        @Option(help: "A name to recognise the key by.") var name: String = "default"
        @Flag(help: "The key may see every owner's videos.") var admin = false

        func validate() throws {
            guard !owner.isEmpty, owner.count <= 200 else { throw ValidationError("--owner must be 1…200 characters") }
        }

        func run() async throws {
            let store = try await database.store()
            let created = try await store.createAPIKey(owner: owner, name: name, isAdmin: admin)
            try await store.close()
            print(created.plaintext)
            FileHandle.standardError.write(Data("key \(created.key.id) for owner '\(owner)'\(admin ? " (admin)" : ""): store it now, it is not shown again\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let store = try await database.store()
            let keys = try await store.apiKeys()
            try await store.close()
            for key in keys {
                print("\(key.id)\t\(key.owner)\t\(key.name)\t\(key.isAdmin ? "admin" : "-")\t\(key.revokedAt == nil ? "active" : "revoked")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The key's id (from 'keys list').") var id: String

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a key id") }
            let store = try await database.store()
            let revoked = try await store.revokeAPIKey(id: uuid)
            try await store.close()
            guard revoked else { throw ValidationError("no active key \(id)") }
            print("revoked \(id)")
        }
    }
}

/// `producer migrate`: applies the database migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and exit.")
    @OptionGroup var database: KeysCommand.DatabaseOptions

    func run() async throws {
        let store = try await database.store()
        print("migrations applied: \(try await store.appliedMigrations().map(String.init).joined(separator: ", "))")
        try await store.close()
    }
}
