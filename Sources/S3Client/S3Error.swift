import AWSClientRuntime
import NIOHTTP1

/// An error answered by S3, or a check of ours on its answer that failed.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// An S3 error code.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = AWSErrorDetails.normalizedCode(rawValue) }
        public init(stringLiteral value: String) { self.init(rawValue: value) }
        public var description: String { rawValue }

        public static let noSuchBucket: Code = "NoSuchBucket"
        public static let noSuchKey: Code = "NoSuchKey"
        public static let noSuchUpload: Code = "NoSuchUpload"
        public static let bucketAlreadyOwnedByYou: Code = "BucketAlreadyOwnedByYou"
        public static let bucketAlreadyExists: Code = "BucketAlreadyExists"
        public static let bucketNotEmpty: Code = "BucketNotEmpty"
        public static let accessDenied: Code = "AccessDenied"
        public static let signatureDoesNotMatch: Code = "SignatureDoesNotMatch"
        public static let invalidAccessKeyId: Code = "InvalidAccessKeyId"
        public static let invalidRange: Code = "InvalidRange"
        public static let preconditionFailed: Code = "PreconditionFailed"
        public static let badDigest: Code = "BadDigest"
        public static let invalidPart: Code = "InvalidPart"
        public static let entityTooSmall: Code = "EntityTooSmall"
        /// A HEAD request's 404 (HEAD answers carry no body to name the code).
        public static let notFound: Code = "NotFound"
        /// A HEAD request's 403.
        public static let forbidden: Code = "Forbidden"
        /// Ours: the answer is not what S3 sends.
        public static let invalidResponse: Code = "InvalidResponse"
        /// Ours: a download ended with fewer or more bytes than the object has.
        public static let incompleteBody: Code = "IncompleteBody"
        /// Ours: a local file could not be opened, read or written.
        public static let fileError: Code = "FileError"
        /// Ours: an argument S3 would reject (empty key, bad range, too many parts…).
        public static let invalidArgument: Code = "InvalidArgument"
    }

    /// The error code.
    public var code: Code
    /// The service's (or our) message.
    public var message: String
    /// The request id, when S3 answered.
    public var requestID: String?
    /// The HTTP status, when S3 answered.
    public var statusCode: Int?
    /// The bucket or object the error is about (`/bucket/key`).
    public var resource: String?

    public init(code: Code, message: String, requestID: String? = nil, statusCode: Int? = nil, resource: String? = nil) {
        self.code = code
        self.message = message
        self.requestID = requestID
        self.statusCode = statusCode
        self.resource = resource
    }

    init(_ details: AWSErrorDetails, response: AWSResponse, bucket: String, key: String?, method: HTTPMethod) {
        var code = Code(rawValue: details.code)
        var message = details.message
        if response.body.readableBytes == 0 || code.rawValue.hasPrefix("HTTP") {
            // HEAD (and some proxies) answer without a body: name the code from the status.
            switch response.status.code {
            case 404: code = key == nil ? .noSuchBucket : (method == .HEAD ? .notFound : .noSuchKey)
            case 403: code = method == .HEAD ? .forbidden : .accessDenied
            case 412: code = .preconditionFailed
            case 416: code = .invalidRange
            default: break
            }
            if message.isEmpty || message == response.status.reasonPhrase {
                message = "\(response.status.code) \(response.status.reasonPhrase)"
            }
        }
        let resource = "/" + bucket + (key.map { "/" + $0 } ?? "")
        self.init(
            code: code, message: message, requestID: details.requestID ?? response.requestID,
            statusCode: Int(response.status.code), resource: resource)
    }

    /// Whether the bucket or key does not exist (`NoSuchKey`, `NoSuchBucket`, or a HEAD's `NotFound`).
    public var isNotFound: Bool { [.noSuchKey, .noSuchBucket, .notFound].contains(code) }

    public var description: String {
        var text = "S3 \(code): \(message)"
        if let resource { text += " [\(resource)]" }
        if let statusCode { text += " (HTTP \(statusCode)" + (requestID.map { ", request id \($0))" } ?? ")") }
        return text
    }
}
