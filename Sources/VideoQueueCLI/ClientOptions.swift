import ArgumentParser
import Foundation
import VideoQueueClient

/// The options every command has: where the API is, the key, and `--json`.
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `VIDEOQUEUE_API_URL` | the producer's base URL (`--api-url`) | `http://127.0.0.1:8080` |
/// | `VIDEOQUEUE_API_KEY` | the API key (`--api-key`) | required |
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("api-url"), help: "The producer's URL [VIDEOQUEUE_API_URL; default http://127.0.0.1:8080].")
    var apiURL: String?
    @Option(name: .customLong("api-key"), help: "The API key [VIDEOQUEUE_API_KEY].")
    var apiKey: String?
    @Flag(help: "Print the API's JSON instead of text.")
    var json = false

    /// The client, or a usage error when no key is given.
    func client() throws -> APIClient {
        let environment = ProcessInfo.processInfo.environment
        guard let key = apiKey ?? environment["VIDEOQUEUE_API_KEY"], !key.isEmpty else {
            throw ValidationError("no API key: give --api-key or set VIDEOQUEUE_API_KEY")
        }
        let url = apiURL ?? environment["VIDEOQUEUE_API_URL"] ?? "http://127.0.0.1:8080"
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw ValidationError("--api-url must be an http(s) URL") }
        return APIClient(baseURL: url, apiKey: key)
    }

    /// Prints `data` (JSON) on standard output.
    func printJSON(_ data: Data) {
        FileHandle.standardOutput.write(data)
        if data.last != UInt8(ascii: "\n") { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}

/// Runs a command's body: a ``ClientError`` becomes one line on standard error and exit status 1.
func reporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ClientError {
        FileHandle.standardError.write(Data("videoqueue: \(error.code): \(error.message)\n".utf8))
        throw ExitCode(1)
    }
}
