import ArgumentParser
import VideoCore

/// `videoqueue`: the VideoQueue API from a terminal or a script.
@main
struct VideoQueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "videoqueue",
        abstract: "Upload videos to VideoQueue, follow them and fetch their outputs (through the producer's API only).",
        discussion: """
            Set VIDEOQUEUE_API_URL and VIDEOQUEUE_API_KEY (or give --api-url and --api-key). Every command takes --json \
            for the API's JSON. Exit status: 0 done, 1 the API refused or failed (its error on standard error), \
            64 bad arguments; watch: 2 when the video failed or was cancelled.
            """,
        version: VideoQueueVersion.current,
        subcommands: [
            UploadCommand.self, WatchCommand.self, ListCommand.self, ShowCommand.self, DownloadCommand.self, CancelCommand.self,
            RetryCommand.self, FailedCommand.self, KeysCommand.self, DeadLetterCommand.self,
        ]
    )
}
