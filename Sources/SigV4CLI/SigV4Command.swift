import ArgumentParser
import VideoCore

/// The `sigv4` tool: signs requests by hand and reproduces the AWS SigV4 test suite, to debug
/// `SignatureDoesNotMatch`.
public struct SigV4Command: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sigv4",
        abstract: "Sign HTTP requests with AWS Signature Version 4, the way VideoQueue signs them.",
        discussion: """
            Inputs use the formats of the official AWS SigV4 test suite: a request.txt (request line, \
            headers, empty line, body) and a context.json (credentials, region, service, timestamp, \
            normalize, sign_body, expiration_in_seconds, omit_session_token). Bad input is reported on \
            one line of standard error with exit status 2.
            """,
        version: VideoQueueVersion.current,
        subcommands: [SignCommand.self, SignChunksCommand.self]
    )

    public init() {}
}
