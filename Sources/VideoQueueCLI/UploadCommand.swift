import ArgumentParser
import Foundation
import VideoQueueClient

/// `videoqueue upload FILE…`.
struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload videos; prints each video's id.",
        discussion: """
            Files of --direct-from bytes or more (default 64 MB) go directly to S3 in parts sent in parallel; an \
            interrupted direct upload resumes when run again (only the missing parts are sent).
            """)

    @OptionGroup var client: ClientOptions
    @Argument(help: "The video files.") var files: [String]
    @Option(help: "A title (default: the file name).") var title: String?
    @Option(help: "Jobs, comma-separated (default: the producer's).") var jobs: String?
    @Option(help: "A named preset.") var preset: String?
    @Option(help: "Processing options as JSON, e.g. '{\"renditions\":[720]}'.") var options: String?
    @Option(name: .customLong("direct-from"), help: "Upload directly to S3 from this size on, in bytes.") var directFrom: Int64 = 64 << 20
    @Option(help: "Parts sent at once in a direct upload.") var parallel: Int = 4
    @Flag(help: "Follow each video's progress after its upload.") var watch = false

    func run() async throws {
        let api = try client.client()
        let uploader = Uploader(client: api, directThreshold: directFrom, parallelParts: parallel)
        let settings = Uploader.Settings(
            title: title, jobs: jobs.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }, preset: preset,
            options: options)
        try await reporting {
            for file in files {
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.doubleValue
                let bar = ProgressPrinter(label: URL(fileURLWithPath: file).lastPathComponent, total: size)
                let (document, raw) = try await uploader.upload(file, settings: settings) { sent in bar.update(Double(sent)) }
                bar.update(size ?? 0, final: true)
                if client.json { client.printJSON(raw) } else { print(document.video.id.uuidString.lowercased()) }
                if watch { _ = try await WatchCommand.follow(api, id: document.video.id.uuidString.lowercased(), json: client.json) }
            }
        }
    }
}
