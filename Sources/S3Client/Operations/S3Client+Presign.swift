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
    public func presignedURL(
        _ method: HTTPMethod, bucket: String, key: String, expires: Int,
        query: [(String, String)] = [], headers: HTTPHeaders = [:], date: Date? = nil
    ) async throws -> String {
        try Self.validate(key: key)
        let credentials = try await http.configuration.credentialProvider.credentials()
        let expires = Self.lifetime(expires, credentials: credentials)
        let signer = SigV4Signer(credentials: credentials, region: http.configuration.region, service: AWSService.s3.signingName)
        let address = S3Address(bucket: bucket, key: key, endpoint: endpoint, addressing: options.addressing)
        let queryString = query.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let request = SigV4Request(
            method: method.rawValue, scheme: endpoint.scheme, host: address.hostPrefix + endpoint.host,
            path: endpoint.basePath + address.path, query: queryString, headers: headers)
        return try signer.presignedURL(request, expires: expires, date: date ?? http.signingDate())
    }

    /// The origin (`scheme://host[:port]`) of every URL this client presigns for `bucket`: what a web page must be
    /// allowed to reach (its Content-Security-Policy) to load or upload through them.
    public func origin(of bucket: String) -> String {
        let address = S3Address(bucket: bucket, key: nil, endpoint: endpoint, addressing: options.addressing)
        return "\(endpoint.scheme)://\(address.hostPrefix)\(endpoint.host)"
    }

    /// How long a presigned URL asked to live `seconds` will be valid: never longer than the credentials that sign
    /// it (temporary credentials, such as an instance role's, expire; a URL signed with them stops working then).
    public func presignLifetime(_ seconds: Int) async throws -> Int {
        Self.lifetime(seconds, credentials: try await http.configuration.credentialProvider.credentials())
    }

    static func lifetime(_ seconds: Int, credentials: Credentials, now: Date = Date()) -> Int {
        guard let expiration = credentials.expiration else { return seconds }
        return max(1, min(seconds, Int(expiration.timeIntervalSince(now).rounded(.down))))
    }

    /// Presigned PUT URLs for parts 1…`partCount` of a multipart upload (for clients uploading directly). With
    /// `sizes`, each part's URL signs its `Content-Length`: a part of any other size is refused by S3.
    public func presignedPartURLs(
        bucket: String, key: String, uploadID: String, partCount: Int, expires: Int,
        sizes: [Int64]? = nil
    ) async throws -> [String] {
        guard (1...S3Limits.maximumParts).contains(partCount) else {
            throw S3Error(code: .invalidArgument, message: "a multipart upload has 1…\(S3Limits.maximumParts) parts, not \(partCount)")
        }
        var urls: [String] = []
        urls.reserveCapacity(partCount)
        for number in 1...partCount {
            var headers = HTTPHeaders()
            if let sizes, sizes.indices.contains(number - 1) { headers.add(name: "Content-Length", value: String(sizes[number - 1])) }
            urls.append(
                try await presignedURL(
                    .PUT, bucket: bucket, key: key, expires: expires,
                    query: [("partNumber", String(number)), ("uploadId", uploadID)], headers: headers))
        }
        return urls
    }
}
