import ArgumentParser
import Foundation
import VideoQueueClient

/// `videoqueue keys …` (an admin key).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "API keys (needs an admin key).", subcommands: [List.self, Create.self, Revoke.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the keys (never their secrets).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let api = try client.client()
            try await reporting {
                let answer = try await api.call(.GET, "/v1/keys")
                if client.json { return client.printJSON(answer.body) }
                struct Keys: Decodable {
                    struct Key: Decodable {
                        var id: String
                        var owner: String
                        var name: String
                        var admin: Bool
                        var revokedAt: String?
                    }
                    var keys: [Key]
                }
                for key in try JSONDecoder().decode(Keys.self, from: answer.body).keys {
                    print("\(key.id.lowercased())  \(key.owner)  \(key.name)\(key.admin ? "  admin" : "")\(key.revokedAt == nil ? "" : "  revoked")")
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a key; prints its secret (once).")
        @OptionGroup var client: ClientOptions
        @Option(help: "The owner the key acts for.") var owner: String
        @Option(help: "A name to recognise it by.") var name = "default"
        @Flag(help: "An admin key (sees every owner's videos).") var admin = false

        func run() async throws {
            let api = try client.client()
            try await reporting {
                let body = try JSONSerialization.data(withJSONObject: ["owner": owner, "name": name, "admin": admin])
                let answer = try await api.call(.POST, "/v1/keys", json: body)
                if client.json { return client.printJSON(answer.body) }
                struct Created: Decodable { var secret: String }
                print(try JSONDecoder().decode(Created.self, from: answer.body).secret)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The key's id.") var id: String

        func run() async throws {
            let api = try client.client()
            try await reporting {
                try await api.call(.DELETE, "/v1/keys/\(id)")
                if !client.json { print("\(id) revoked") }
            }
        }
    }
}

/// `videoqueue dlq …` (an admin key).
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "The dead-letter queue (needs an admin key).", subcommands: [List.self, Redrive.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "Its depth and up to ten of its messages.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let api = try client.client()
            try await reporting {
                let answer = try await api.call(.GET, "/v1/dlq")
                if client.json { return client.printJSON(answer.body) }
                struct Letters: Decodable {
                    struct Depth: Decodable {
                        var visible: Int
                        var inFlight: Int
                    }
                    struct Letter: Decodable {
                        var messageID: String
                        var videoID: String?
                        var receiveCount: Int?
                    }
                    var queue: Depth
                    var messages: [Letter]
                }
                let letters = try JSONDecoder().decode(Letters.self, from: answer.body)
                print("dead letters: \(letters.queue.visible) waiting, \(letters.queue.inFlight) in flight")
                for letter in letters.messages {
                    print("  \(letter.messageID)  video \(letter.videoID ?? "(unreadable)")  received \(letter.receiveCount ?? 0)×")
                }
            }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "redrive", abstract: "Move the dead letters back to the jobs queue (up to 1000 per call; repeats until none are left).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let api = try client.client()
            try await reporting {
                var total = 0
                while true {
                    let answer = try await api.call(.POST, "/v1/dlq/redrive")
                    struct Moved: Decodable { var moved: Int }
                    let moved = try JSONDecoder().decode(Moved.self, from: answer.body).moved
                    total += moved
                    if moved < 1000 { break }
                }
                client.json ? client.printJSON(Data("{\"moved\":\(total)}".utf8)) : print("\(total) messages moved back to the jobs queue")
            }
        }
    }
}
