import AWSSigV4
import ArgumentParser
import Foundation

/// `sigv4 sign-chunks`: the seed and chunk signatures of an S3 `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` upload.
public struct SignChunksCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sign-chunks",
        abstract: "Print the seed signature, then each chunk's signature (the final empty chunk last), one per line."
    )

    @OptionGroup public var inputs: RequestOptions

    @Option(name: .long, help: "The file whose bytes are uploaded.")
    public var payload: String

    @Option(name: .long, help: "The chunk size in bytes (S3 wants at least 8192).")
    public var chunkSize: Int = 65_536

    public init() {}

    /// The lines to print: the seed signature, then one per chunk.
    public func signatures() throws(CLIError) -> [String] {
        guard chunkSize > 0 else { throw CLIError("--chunk-size must be a positive number of bytes, not \(chunkSize)") }
        let (raw, context) = try inputs.load()
        guard let handle = FileHandle(forReadingAtPath: payload) else {
            throw CLIError("cannot read payload file \(payload)")
        }
        defer { try? handle.close() }
        let length: Int
        do {
            length = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
        } catch {
            throw CLIError("cannot read payload file \(payload): \(error.localizedDescription)")
        }
        var signed = try raw.sigV4Request()
        let streaming: StreamingPayload
        do {
            streaming = try StreamingPayload.signed(decodedLength: length, chunkSize: chunkSize)
        } catch {
            throw CLIError(error.message)
        }
        let seed = context.signer.sign(&signed, body: .streaming(streaming), date: context.timestamp)
        var chunkSigner = seed.chunkSigner()
        var lines = [seed.signature]
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: chunkSize) ?? Data()
            } catch {
                throw CLIError("cannot read payload file \(payload): \(error.localizedDescription)")
            }
            lines.append(chunkSigner.sign(chunk: chunk))
            if chunk.isEmpty { break }
        }
        return lines
    }

    public func run() async throws {
        for line in try signatures() { print(line) }
    }
}
