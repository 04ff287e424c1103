import ArgumentParser

/// The VideoQueue consumer: the daemon that long-polls SQS and processes each video with FFmpeg.
///
/// This is a placeholder until the consumer issue lands: it prints its help and exits.
@main
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer",
        abstract: "VideoQueue consumer: long-polls SQS, processes videos with FFmpeg and uploads the outputs to S3.",
        discussion: "Not implemented yet: the daemon arrives with the consumer issue. This build only prints help."
    )

    func run() async throws {
        print(Self.helpMessage())
    }
}
