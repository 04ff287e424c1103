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

        /// Runs `body` with the migrated store, closed afterwards however `body` ends. A bad setting exits 78.
        func withStore<T: Sendable>(_ body: (any VideoStore) async throws -> T) async throws -> T {
            let settings: Settings
            let database: DatabaseConfiguration
            do {
                settings = try Settings.load(flags: [.init("--database-url", "DATABASE_URL", databaseURL)])
                database = try DatabaseConfiguration(url: settings.string("DATABASE_URL"), environment: settings.environment)
                try database.checkLocation()
            } catch {
                throw ProducerExitCode.exit(for: error, logger: nil, isConfigurationError: true)
            }
            do {
                return try await database.withStore(environment: settings.environment, body)
            } catch let error where ProducerExitCode.isConfigurationError(error) {
                throw ProducerExitCode.exit(for: error, logger: nil)
            }
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
            let created = try await database.withStore { try await $0.createAPIKey(owner: owner, name: name, isAdmin: admin) }
            print(created.plaintext)
            FileHandle.standardError.write(
                Data("key \(created.key.id) for owner '\(owner)'\(admin ? " (admin)" : ""): store it now, it is not shown again\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let keys = try await database.withStore { try await $0.apiKeys() }
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
            let revoked = try await database.withStore { try await $0.revokeAPIKey(id: uuid) }
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
        let applied = try await database.withStore { try await $0.appliedMigrations() }
        print("migrations applied: \(applied.map(String.init).joined(separator: ", "))")
    }
}
