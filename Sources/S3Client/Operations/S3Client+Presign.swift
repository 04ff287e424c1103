import AWSClientRuntime
import AWSSigV4
import Foundation
import NIOHTTP1

extension S3Client {
    /// A URL that lets anyone `method` (GET, PUT, …) `key` without credentials for `expires` seconds
    /// (1 s … 7 days), signed with `UNSIGNED-PAYLOAD`.
    ///
    /// - Parameters:
    ///   - query: extra parameters signed into the URL (e.g. `partNumber` and `uploadId` for a part upload,
    ///     `response-content-disposition` for a download's file name).
    ///   - headers: headers the holder must send with exactly these values (e.g. `Content-Type` for a PUT).
    ///   - date: the signing time; now (corrected for clock skew) by default.
    public func presignedURL(_ method: HTTPMethod, bucket: String, key: String, expires: Int,
                             query: [(String, String)] = [], headers: HTTPHeaders = [:], date: Date? = nil) async throws -> String {
        try Self.validate(key: key)
        let credentials = try await http.configuration.credentialProvider.credentials()
        let signer = SigV4Signer(credentials: credentials, region: http.configuration.region, service: AWSService.s3.signingName)
        let address = S3Address(bucket: bucket, key: key, endpoint: endpoint, addressing: options.addressing)
        let queryString = query.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let request = SigV4Request(method: method.rawValue, scheme: endpoint.scheme, host: address.hostPrefix + endpoint.host,
                                   path: endpoint.basePath + address.path, query: queryString, headers: headers)
        return try signer.presignedURL(request, expires: expires, date: date ?? http.signingDate())
    }

    /// Presigned PUT URLs for parts 1…`partCount` of a multipart upload (for clients uploading directly).
    public func presignedPartURLs(bucket: String, key: String, uploadID: String, partCount: Int, expires: Int) async throws -> [String] {
        guard (1...S3Limits.maximumParts).contains(partCount) else {
            throw S3Error(code: .invalidArgument, message: "a multipart upload has 1…\(S3Limits.maximumParts) parts, not \(partCount)")
        }
        var urls: [String] = []
        urls.reserveCapacity(partCount)
        for number in 1...partCount {
            urls.append(try await presignedURL(.PUT, bucket: bucket, key: key, expires: expires,
                                               query: [("partNumber", String(number)), ("uploadId", uploadID)]))
        }
        return urls
    }
}
