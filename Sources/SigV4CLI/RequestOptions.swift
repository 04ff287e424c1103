import ArgumentParser

/// The inputs every `sigv4` signing command takes: a request file and a signing context.
public struct RequestOptions: ParsableArguments {
    @Option(name: .long, help: "The request file (request.txt format).")
    public var request: String

    @Option(name: .long, help: "The signing context (context.json format).")
    public var context: String

    public init() {}

    /// Reads and parses both files.
    func load() throws(CLIError) -> (request: RawHTTPRequest, context: TestSuiteContext) {
        (try RawHTTPRequest(contentsOf: request), try TestSuiteContext(contentsOf: context))
    }
}
