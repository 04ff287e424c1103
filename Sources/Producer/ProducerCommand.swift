import ArgumentParser

/// The VideoQueue producer: the HTTP service that ingests videos into S3, records them and queues them on SQS.
///
/// This is a placeholder until the producer issue lands: it prints its help and exits.
@main
struct ProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "producer",
        abstract: "VideoQueue producer: streams uploaded videos into S3 and queues them on SQS.",
        discussion: "Not implemented yet: the HTTP service arrives with the producer issue. This build only prints help."
    )

    func run() async throws {
        print(Self.helpMessage())
    }
}
