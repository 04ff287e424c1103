import ArgumentParser
import Foundation
import VideoQueueClient

/// `videoqueue cancel ID`.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a waiting or running video.")

    @OptionGroup var client: ClientOptions
    @Argument(help: "The video's id.") var id: String

    func run() async throws {
        let api = try client.client()
        try await reporting {
            let (document, _) = try await api.video(id)
            guard ![.completed, .failed, .cancelled].contains(document.video.status) else {
                throw ClientError(code: "conflict", message: "the video is \(document.video.status.rawValue): nothing to cancel (DELETE would delete it)")
            }
            let answer = try await api.call(.DELETE, "/v1/videos/\(id)")
            client.json ? client.printJSON(answer.body) : print("\(id) cancelled")
        }
    }
}

/// `videoqueue retry ID`.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Queue a failed video again.")

    @OptionGroup var client: ClientOptions
    @Argument(help: "The video's id.") var id: String

    func run() async throws {
        let api = try client.client()
        try await reporting {
            let answer = try await api.call(.POST, "/v1/videos/\(id)/retry")
            client.json ? client.printJSON(answer.body) : print("\(id) queued")
        }
    }
}

/// `videoqueue failed [--retry-all]`.
struct FailedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failed", abstract: "List your failed videos with their error codes; --retry-all queues them again.")

    @OptionGroup var client: ClientOptions
    @Flag(name: .customLong("retry-all"), help: "Queue every failed video again.") var retryAll = false

    func run() async throws {
        let api = try client.client()
        try await reporting {
            var cursor: String?
            var failed: [(id: String, code: String)] = []
            repeat {
                let (page, _) = try await api.videos(status: "failed", limit: 100, cursor: cursor)
                failed += page.videos.map { ($0.id.uuidString.lowercased(), $0.error?.code ?? "") }
                cursor = page.nextCursor
            } while cursor != nil
            var retried: [String] = []
            for video in failed {
                if retryAll {
                    try await api.call(.POST, "/v1/videos/\(video.id)/retry")
                    retried.append(video.id)
                }
                if !client.json { print("\(video.id)  \(video.code)" + (retryAll ? "  queued again" : "")) }
            }
            if client.json {
                let object: [String: Any] = ["failed": failed.map { ["id": $0.id, "code": $0.code] }, "retried": retried]
                client.printJSON(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
            }
        }
    }
}
