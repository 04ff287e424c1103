import AWSClientRuntime
import NIOCore
import NIOHTTP1

extension S3Client {
    /// Creates `bucket` (in the client's region). An existing bucket of ours is not an error.
    public func createBucket(_ bucket: String) async throws {
        let region = http.configuration.region
        var body = AWSRequestBody.empty
        var headers = HTTPHeaders()
        if region != "us-east-1" {
            let document =
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(S3XMLWriter.escaped(region))</LocationConstraint></CreateBucketConfiguration>"
            body = .bytes(ByteBuffer(string: document))
            headers.add(name: "Content-Type", value: "application/xml")
        }
        do {
            try await send(request("CreateBucket", .PUT, bucket: bucket, headers: headers, body: body), bucket: bucket)
        } catch let error as S3Error where error.code == .bucketAlreadyOwnedByYou {
            return
        }
    }

    /// Whether `bucket` exists and is reachable with our credentials.
    ///
    /// - Throws: ``S3Error`` `Forbidden` when it exists but is not ours to read, and transport errors.
    public func bucketExists(_ bucket: String) async throws -> Bool {
        do {
            try await send(request("HeadBucket", .HEAD, bucket: bucket), bucket: bucket)
            return true
        } catch let error as S3Error where error.isNotFound {
            return false
        }
    }

    /// Deletes an empty bucket.
    public func deleteBucket(_ bucket: String) async throws {
        try await send(request("DeleteBucket", .DELETE, bucket: bucket), bucket: bucket)
    }
}
