import AWSClientRuntime
import AWSSigV4
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// VideoQueue's hand-written Amazon S3 client (REST-XML), signed with our SigV4 signer.
///
/// ```swift
/// let s3 = S3Client(configuration: try AWSClientConfiguration(service: .s3))   // AWS_REGION, AWS_ENDPOINT_URL_S3…
/// try await s3.upload(file: "/tmp/video.mp4", bucket: "videoqueue", key: "sources/1/video.mp4")
/// try await s3.download(bucket: "videoqueue", key: "sources/1/video.mp4", to: "/scratch/video.mp4")
/// let url = try await s3.presignedURL(.GET, bucket: "videoqueue", key: "outputs/1/720p.mp4", expires: 3600)
/// ```
///
/// Uploads stream from files or async byte sequences (`aws-chunked` signed chunks over plain HTTP,
/// `UNSIGNED-PAYLOAD` over HTTPS) and switch to parallel multipart uploads above
/// ``S3ClientOptions/multipartThreshold``, with memory bounded by part size × parts in flight; a failed
/// multipart upload is aborted. Downloads stream to a file or to the caller and resume after a dropped
/// connection with a `Range` request. Every call retries transient failures (standard mode) and throws
/// ``S3Error`` for the service's answers, `AWSTransportError` when no answer could be had.
public struct S3Client: Sendable {
    let http: AWSHTTPClient
    /// The transfer and addressing options.
    public var options: S3ClientOptions
    let logger: Logger

    /// A client for the endpoint and credentials of `configuration`.
    public init(
        configuration: AWSClientConfiguration, options: S3ClientOptions = S3ClientOptions(),
        httpClient: HTTPClient = .aws, logger: Logger = Logger(label: "videoqueue.s3")
    ) {
        http = AWSHTTPClient(
            configuration: configuration, service: .s3, httpClient: httpClient, logger: logger,
            errorDecoder: S3ErrorDocument.decode)
        self.options = options
        self.logger = logger
    }

    /// The underlying HTTP layer (its retry quota and clock-skew state).
    public var httpLayer: AWSHTTPClient { http }

    /// The endpoint requests go to.
    public var endpoint: AWSEndpoint { http.configuration.endpoint }

    // MARK: Request plumbing

    /// A request for `bucket` (and `key`), addressed path-style or virtual-hosted as the options say.
    func request(
        _ operation: String, _ method: HTTPMethod, bucket: String, key: String? = nil, query: String = "",
        headers: HTTPHeaders = [:], body: AWSRequestBody = .empty
    ) -> AWSRequest {
        let address = S3Address(bucket: bucket, key: key, endpoint: endpoint, addressing: options.addressing)
        return AWSRequest(
            operation: operation, method: method, path: address.path, query: query, headers: headers, body: body,
            hostPrefix: address.hostPrefix)
    }

    /// Sends `request` and throws ``S3Error`` for a non-2xx answer (or a 200 whose body is an S3 `<Error>`,
    /// as CompleteMultipartUpload and CopyObject may send).
    @discardableResult
    func send(_ request: AWSRequest, bucket: String, key: String? = nil) async throws -> AWSResponse {
        let response = try await http.send(request)
        guard response.isSuccess else {
            throw S3Error(http.decodeError(response), response: response, bucket: bucket, key: key, method: request.method)
        }
        return response
    }

    /// Reads the XML body of a successful answer.
    func xml(_ response: AWSResponse, operation: String) throws -> S3XMLElement {
        do {
            let root = try S3XMLElement.parse(Data(response.body.readableBytesView))
            if root.name == "Error" {
                let details = S3ErrorDocument.details(from: root, requestID: response.requestID)
                throw S3Error(
                    code: S3Error.Code(rawValue: details.code), message: details.message, requestID: details.requestID,
                    statusCode: Int(response.status.code), resource: root.text("Resource"))
            }
            return root
        } catch let error as S3Error {
            throw error
        } catch {
            throw S3Error(
                code: .invalidResponse, message: "\(operation): the answer is not S3 XML: \(error)",
                requestID: response.requestID, statusCode: Int(response.status.code))
        }
    }
}
