import AWSSigV4
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A request to an AWS service, before endpoint, signature and retries are applied.
public struct AWSRequest: Sendable {
    /// The HTTP method.
    public var method: HTTPMethod
    /// The percent-encoded path below the endpoint's base path, starting with `/`.
    public var path: String
    /// The raw query string without `?`.
    public var query: String
    /// Headers to send and sign.
    public var headers: HTTPHeaders
    /// The body and how it is signed.
    public var body: AWSRequestBody
    /// A name for logs and metrics, e.g. `SendMessage`.
    public var operation: String
    /// How long one attempt may take; `nil` means the client's ``AWSClientConfiguration/requestTimeout``.
    public var timeout: Duration?
    /// Prepended to the endpoint's host, e.g. `bucket.` for S3's virtual-hosted addressing.
    public var hostPrefix: String

    public init(
        operation: String, method: HTTPMethod, path: String = "/", query: String = "",
        headers: HTTPHeaders = [:], body: AWSRequestBody = .empty, timeout: Duration? = nil, hostPrefix: String = ""
    ) {
        self.hostPrefix = hostPrefix
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A request body and what the signature says about it.
public struct AWSRequestBody: Sendable {
    enum Storage: Sendable {
        case bytes(ByteBuffer)
        case stream(length: Int?, replayable: Bool, make: @Sendable (SigV4Signature) -> HTTPClientRequest.Body)
    }

    let storage: Storage
    /// The payload statement signed into the request.
    public let payload: SigV4Body

    /// No body.
    public static let empty = AWSRequestBody(storage: .bytes(ByteBuffer()), payload: .empty)

    /// A body held in memory, signed with its SHA-256 (`unsigned` sends `UNSIGNED-PAYLOAD` instead,
    /// for large bodies over HTTPS). Replayable: retried like any request.
    public static func bytes(_ buffer: ByteBuffer, unsigned: Bool = false) -> AWSRequestBody {
        let payload: SigV4Body = unsigned ? .unsigned : buffer.withUnsafeReadableBytes { .bytes($0) }
        return AWSRequestBody(storage: .bytes(buffer), payload: payload)
    }

    /// A streamed body made for each attempt from the attempt's signature (which `aws-chunked` bodies need
    /// for their chunk signatures). A body that cannot be made twice (`replayable: false`) is never retried.
    public static func stream(
        payload: SigV4Body, length: Int?, replayable: Bool,
        make: @escaping @Sendable (SigV4Signature) -> HTTPClientRequest.Body
    ) -> AWSRequestBody {
        AWSRequestBody(storage: .stream(length: length, replayable: replayable, make: make), payload: payload)
    }

    /// Whether the body can be sent again by a retry.
    public var isReplayable: Bool {
        switch storage {
        case .bytes: true
        case .stream(_, let replayable, _): replayable
        }
    }

    /// Signs `request` for this body and returns the body to send: a body in memory as it is (signed by
    /// ``SigV4Signer/authorize(_:body:date:)``, which keeps nothing of the signature), a streamed body made from the
    /// signature (whose seed an `aws-chunked` body signs its chunks with).
    func sign(_ request: inout SigV4Request, with signer: SigV4Signer, date: Date) -> HTTPClientRequest.Body? {
        switch storage {
        case .bytes(let buffer):
            signer.authorize(&request, body: payload, date: date)
            return buffer.readableBytes == 0 ? nil : .bytes(buffer)
        case .stream(_, _, let make):
            return make(signer.sign(&request, body: payload, date: date))
        }
    }
}
