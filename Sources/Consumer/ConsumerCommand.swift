import ArgumentParser
import VideoCore

/// The VideoQueue consumer: the daemon that long-polls SQS and processes each video with FFmpeg.
@main
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer",
        abstract: "VideoQueue consumer: long-polls SQS, processes videos with FFmpeg and uploads the outputs to S3.",
        version: VideoQueueVersion.current,
        subcommands: [RunCommand.self, ProcessCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
