import ArgumentParser

/// `sigv4 sign`: prints the signed request (header form, or a presigned URL with `--presign`).
public struct SignCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a request and print it in the test suite's header-signed-request.txt (or query-signed-request.txt) form."
    )

    @OptionGroup public var inputs: RequestOptions

    @Flag(name: .long, help: "Sign with query parameters (a presigned URL) instead of an Authorization header.")
    public var presign = false

    @Flag(name: .long, help: "Also print the canonical request and the string to sign on standard error.")
    public var verbose = false

    public init() {}

    /// Signs and returns the text to print, and the diagnostics for `--verbose`.
    public func output() throws(CLIError) -> (signedRequest: String, diagnostics: String) {
        let (request, context) = try inputs.load()
        let signer = TestSuiteSigner(request: request, context: context)
        let result = presign ? try signer.presign() : try signer.signWithHeaders()
        let diagnostics = """
            ---- canonical request ----
            \(result.signature.canonicalRequest.text)
            ---- string to sign ----
            \(result.signature.stringToSign.text)
            ---- signature ----
            \(result.signature.signature)

            """
        return (result.signedRequest, diagnostics)
    }

    public func run() async throws {
        let (signedRequest, diagnostics) = try output()
        if verbose { StandardError.write(diagnostics) }
        print(signedRequest, terminator: "")
    }
}
