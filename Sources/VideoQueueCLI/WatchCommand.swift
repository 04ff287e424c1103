import ArgumentParser
import Foundation
import VideoQueueClient

/// `videoqueue watch ID`.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow a video's progress until it finishes (exit 2 when it failed or was cancelled).")

    @OptionGroup var client: ClientOptions
    @Argument(help: "The video's id.") var id: String

    func run() async throws {
        let api = try client.client()
        var final: ProgressEvent?
        try await reporting { final = try await Self.follow(api, id: id, json: client.json) }
        if final?.status != "completed" { throw ExitCode(2) }
    }

    /// Shows the progress (a bar, or JSON lines) until the `done` event.
    static func follow(_ api: APIClient, id: String, json: Bool) async throws -> ProgressEvent {
        let bar = ProgressPrinter(label: String(id.prefix(8)), total: 100, bytes: false)
        let last = try await api.follow(id) { event in
            if json {
                let line = "{\"status\":\"\(event.status)\",\"stage\":\"\(event.stage ?? "")\",\"progress\":\(event.progress)}\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            } else {
                bar.update(event.progress)
            }
        }
        if !json {
            bar.update(last.progress, final: true)
            print("\(id) \(last.status)")
        }
        return last
    }
}
