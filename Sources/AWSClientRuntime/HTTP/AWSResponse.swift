import NIOCore
import NIOHTTP1

/// A service's answer with its body read into memory.
public struct AWSResponse: Sendable {
    /// The HTTP status.
    public var status: HTTPResponseStatus
    /// The response headers.
    public var headers: HTTPHeaders
    /// The body.
    public var body: ByteBuffer

    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status.code) }

    /// The request id AWS sends back (`x-amzn-RequestId`, `x-amz-request-id`).
    public var requestID: String? { Self.requestID(in: headers) }

    static func requestID(in headers: HTTPHeaders) -> String? {
        headers.first(name: "x-amzn-RequestId") ?? headers.first(name: "x-amz-request-id")
    }
}

/// The error an AWS service answered with, as the protocol's decoder read it from the response.
public struct AWSErrorDetails: Sendable, Equatable {
    /// The error code without any `namespace#` prefix, e.g. `QueueDoesNotExist`.
    public var code: String
    /// The service's message.
    public var message: String
    /// The request id.
    public var requestID: String?

    public init(code: String, message: String, requestID: String?) {
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// `com.amazonaws.sqs#QueueDoesNotExist` → `QueueDoesNotExist`; also drops a `:…` suffix (JSON protocol).
    public static func normalizedCode(_ code: String) -> String {
        var code = Substring(code)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return String(code)
    }
}
