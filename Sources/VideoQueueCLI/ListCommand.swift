import ArgumentParser
import Foundation
import VideoQueueClient

/// `videoqueue ls`.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List your videos, newest first.")

    @OptionGroup var client: ClientOptions
    @Option(help: "Only videos in this status (queued, processing, completed, failed, cancelled…).") var status: String?
    @Option(help: "Videos per page (1…100).") var limit: Int = 20
    @Option(help: "The page after this cursor (printed after a page).") var cursor: String?
    @Flag(help: "Every page.") var all = false

    func run() async throws {
        let api = try client.client()
        try await reporting {
            var cursor = self.cursor
            repeat {
                let (page, raw) = try await api.videos(status: status, limit: limit, cursor: cursor)
                if client.json {
                    client.printJSON(raw)
                } else {
                    for video in page.videos {
                        let progress = video.status == .processing ? String(format: " %.0f%%", video.progress) : ""
                        print("\(video.id.uuidString.lowercased())  \(video.status.rawValue)\(progress)  \(video.title)")
                    }
                    if let next = page.nextCursor, !all { print("next: --cursor \(next)") }
                }
                cursor = page.nextCursor
            } while all && cursor != nil
        }
    }
}
