import AWSSigV4
import Foundation

/// Signs a ``RawHTTPRequest`` with a ``TestSuiteContext`` and writes the result in the AWS SigV4 test
/// suite's formats (`header-signed-request.txt`, `query-signed-request.txt`).
public struct TestSuiteSigner: Sendable {
    /// The request to sign.
    public var request: RawHTTPRequest
    /// The signing parameters.
    public var context: TestSuiteContext

    public init(request: RawHTTPRequest, context: TestSuiteContext) {
        self.request = request
        self.context = context
    }

    /// The outcome of signing: the signed request in the suite's text form, and the signature's inputs.
    public struct Output: Sendable {
        /// The signed request, as in `header-signed-request.txt` / `query-signed-request.txt`.
        public var signedRequest: String
        /// The signature and its canonical request and string to sign.
        public var signature: SigV4Signature
    }

    /// Signs with an `Authorization` header.
    public func signWithHeaders() throws(CLIError) -> Output {
        var signed = try request.sigV4Request()
        let signature = context.signer.sign(&signed, body: .bytes(request.body), date: context.timestamp)
        // The original header lines as written, then the headers the signer added, in the order it added them.
        let added: Set<String> = ["x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "authorization"]
        var lines = ["\(request.method) \(request.target) \(request.version)"]
        for header in request.headers where !added.contains(header.name.lowercased()) {
            lines.append(contentsOf: header.rawLines)
        }
        for (name, value) in signed.headers where added.contains(name.lowercased()) {
            lines.append("\(name):\(value)")
        }
        return Output(signedRequest: Self.render(lines, body: request.body), signature: signature)
    }

    /// Signs with query parameters (a presigned URL).
    public func presign() throws(CLIError) -> Output {
        let unsigned = try request.sigV4Request()
        let body: SigV4Body = context.service == "s3" ? .unsigned : .bytes(request.body)
        let presigned: PresignedRequest
        do {
            presigned = try context.signer.presign(unsigned, expires: context.expirationInSeconds, body: body, date: context.timestamp)
        } catch {
            throw CLIError(error.message)
        }
        var lines = ["\(request.method) \(presigned.request.target) \(request.version)"]
        for header in request.headers { lines.append(contentsOf: header.rawLines) }
        return Output(signedRequest: Self.render(lines, body: request.body), signature: presigned.signature)
    }

    private static func render(_ lines: [String], body: [UInt8]) -> String {
        lines.map { $0 + "\n" }.joined() + "\n" + String(decoding: body, as: UTF8.self)
    }
}
