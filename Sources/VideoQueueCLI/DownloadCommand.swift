import ArgumentParser
import Foundation
import VideoQueueClient

/// `videoqueue download ID`.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Download every output of a finished video into a directory (its keys as paths).")

    @OptionGroup var client: ClientOptions
    @Argument(help: "The video's id.") var id: String
    @Option(help: "Where to put the files (default: ./<id>).") var output: String?

    func run() async throws {
        let api = try client.client()
        try await reporting {
            let (document, _) = try await api.video(id)
            let video = document.video
            guard video.status == .completed else { throw ClientError(code: "not_completed", message: "the video is \(video.status.rawValue)") }
            let root = URL(fileURLWithPath: output ?? video.id.uuidString.lowercased(), isDirectory: true)
            let prefix = "outputs/\(video.id.uuidString.lowercased())/"
            var written: [String] = []
            for item in video.outputs {
                guard let url = document.downloads?[item.key] else { continue }
                let relative = item.key.hasPrefix(prefix) ? String(item.key.dropFirst(prefix.count)) : item.key
                // The keys are the producer's; a path that would leave the directory is not written.
                guard !relative.split(separator: "/").contains(".."), !relative.hasPrefix("/") else { continue }
                let file = root.appendingPathComponent(relative)
                let bar = ProgressPrinter(label: relative, total: Double(item.size))
                try await api.download(url, to: file) { done, _ in bar.update(Double(done)) }
                bar.update(Double(item.size), final: true)
                written.append(file.path)
            }
            if client.json {
                client.printJSON(try JSONSerialization.data(withJSONObject: ["files": written], options: [.withoutEscapingSlashes]))
            } else {
                print("\(written.count) files in \(root.path)")
            }
        }
    }
}
