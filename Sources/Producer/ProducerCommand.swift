import ArgumentParser
import VideoCore

/// The VideoQueue producer: the HTTP service that ingests videos and queues them.
@main
struct ProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "producer",
        abstract: "VideoQueue producer: streams uploads into S3, records them and queues them on SQS.",
        version: VideoQueueVersion.current,
        subcommands: [ServeCommand.self, KeysCommand.self, MigrateCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
