import ArgumentParser
import Foundation
import VideoQueueClient

/// `videoqueue show ID`.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a video: its status and outputs.")

    @OptionGroup var client: ClientOptions
    @Argument(help: "The video's id.") var id: String

    func run() async throws {
        let api = try client.client()
        try await reporting {
            let (document, raw) = try await api.video(id)
            if client.json { return client.printJSON(raw) }
            let video = document.video
            print("\(video.id.uuidString.lowercased())  \(video.title)")
            print(
                "status: \(video.status.rawValue)"
                    + (video.status == .processing ? String(format: " %.0f%% (%@)", video.progress, video.stage?.rawValue ?? "") : ""))
            if let error = video.error { print("error: \(error.code): \(error.message)") }
            print("jobs: \(video.jobs.map(\.rawValue).joined(separator: ", "))" + (video.preset.map { "  preset: \($0)" } ?? ""))
            for output in video.outputs where !output.kind.hasSuffix("segment") && !output.kind.hasSuffix("frame") {
                print("  \(output.kind.padding(toLength: 24, withPad: " ", startingAt: 0)) \(ProgressBar.bytes(Double(output.size)))")
            }
        }
    }
}
