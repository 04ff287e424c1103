import AWSClientRuntime
import AWSSigV4
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

extension S3Client {
    /// Stores `bytes` as `key` with one PutObject.
    ///
    /// - Parameters:
    ///   - checksum: also sends `x-amz-checksum-sha256` (or `-crc32c`), which S3 verifies and stores.
    ///   - metadata: user metadata, sent as `x-amz-meta-*`.
    @discardableResult
    public func putObject(
        _ bytes: ByteBuffer, bucket: String, key: String, contentType: String = "application/octet-stream",
        metadata: [String: String] = [:], checksum: ChecksumAlgorithm? = nil
    ) async throws -> S3UploadResult {
        try Self.validate(key: key)
        var headers = Self.objectHeaders(contentType: contentType, metadata: metadata)
        if let checksum {
            var running = RunningChecksum(checksum)
            bytes.withUnsafeReadableBytes { running.update($0) }
            headers.add(name: checksum.headerName, value: running.base64)
        }
        let response = try await send(
            request("PutObject", .PUT, bucket: bucket, key: key, headers: headers, body: .bytes(bytes)),
            bucket: bucket, key: key)
        return S3UploadResult(
            eTag: S3ObjectInfo.unquoted(response.headers.first(name: "ETag") ?? ""), size: Int64(bytes.readableBytes),
            partCount: 1, versionID: response.headers.first(name: "x-amz-version-id"))
    }

    /// The metadata of `key`.
    ///
    /// - Throws: ``S3Error`` with code `NotFound` when there is no such key (HEAD answers have no body).
    public func headObject(bucket: String, key: String) async throws -> S3ObjectInfo {
        try Self.validate(key: key)
        let response = try await send(request("HeadObject", .HEAD, bucket: bucket, key: key), bucket: bucket, key: key)
        return S3ObjectInfo(headers: response.headers)
    }

    /// The metadata of `key`, or `nil` when it does not exist.
    public func objectInfo(bucket: String, key: String) async throws -> S3ObjectInfo? {
        do {
            return try await headObject(bucket: bucket, key: key)
        } catch let error as S3Error where error.isNotFound {
            return nil
        }
    }

    /// Reads a whole (small) object into memory: at most ``AWSClientConfiguration/maximumResponseBytes``.
    public func getObject(bucket: String, key: String) async throws -> (body: ByteBuffer, info: S3ObjectInfo) {
        try Self.validate(key: key)
        let response = try await send(request("GetObject", .GET, bucket: bucket, key: key), bucket: bucket, key: key)
        return (response.body, S3ObjectInfo(headers: response.headers))
    }

    /// Deletes `key` (deleting a missing key succeeds, as in S3).
    public func deleteObject(bucket: String, key: String) async throws {
        try Self.validate(key: key)
        try await send(request("DeleteObject", .DELETE, bucket: bucket, key: key), bucket: bucket, key: key)
    }

    /// Deletes `keys` with DeleteObjects, 1,000 at a time; keys S3 refuses are reported, not thrown.
    public func deleteObjects(bucket: String, keys: [String]) async throws -> S3DeleteResult {
        var result = S3DeleteResult(deleted: [], failed: [])
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + S3Limits.maximumKeysPerDelete, keys.count)]
            start += batch.count
            var document = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>false</Quiet>"
            for key in batch { document += "<Object><Key>\(S3XMLWriter.escaped(key))</Key></Object>" }
            document += "</Delete>"
            let body = ByteBuffer(string: document)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/xml")
            headers.add(name: "Content-MD5", value: Data(Insecure.MD5.hash(data: Data(body.readableBytesView))).base64EncodedString())
            let response = try await send(
                request("DeleteObjects", .POST, bucket: bucket, query: "delete=", headers: headers, body: .bytes(body)),
                bucket: bucket)
            let root = try xml(response, operation: "DeleteObjects")
            result.deleted += root.children("Deleted").compactMap { $0.text("Key") }
            result.failed += root.children("Error").map {
                S3DeleteResult.Failure(
                    key: $0.text("Key") ?? "", code: S3Error.Code(rawValue: $0.text("Code") ?? "Unknown"),
                    message: $0.text("Message") ?? "")
            }
        }
        return result
    }

    /// Copies `sourceKey` of `sourceBucket` to `key` of `bucket` on the server side (objects up to 5 GiB).
    /// - Parameter ifMatch: the source's ETag: the copy fails (`412 PreconditionFailed`) if the source is another object
    ///   by then (`x-amz-copy-source-if-match`).
    @discardableResult
    public func copyObject(
        fromBucket sourceBucket: String, key sourceKey: String, toBucket bucket: String, key: String,
        ifMatch: String? = nil
    ) async throws -> String {
        try Self.validate(key: sourceKey)
        try Self.validate(key: key)
        var headers = HTTPHeaders()
        headers.add(name: "x-amz-copy-source", value: "/" + URIEncoding.encode(sourceBucket) + "/" + URIEncoding.encode(sourceKey, keepSlash: true))
        if let ifMatch { headers.add(name: "x-amz-copy-source-if-match", value: "\"\(ifMatch)\"") }
        let response = try await send(request("CopyObject", .PUT, bucket: bucket, key: key, headers: headers), bucket: bucket, key: key)
        let root = try xml(response, operation: "CopyObject")
        return S3ObjectInfo.unquoted(root.text("ETag") ?? "")
    }

    /// Copies `sourceKey` (of `size` bytes) to `key` in the same bucket on the server side, whatever its size:
    /// one CopyObject up to 5 GiB, a multipart copy (UploadPartCopy of 1 GiB ranges) above. Returns the new
    /// object's ETag. With `ifMatch` (the source's ETag) every copy request is conditional on the source being that
    /// object still.
    @discardableResult
    public func copy(bucket: String, from sourceKey: String, to key: String, size: Int64, ifMatch: String? = nil) async throws -> String {
        let single: Int64 = 5 << 30
        guard size > single else { return try await copyObject(fromBucket: bucket, key: sourceKey, toBucket: bucket, key: key, ifMatch: ifMatch) }
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key)
        do {
            let partSize: Int64 = 1 << 30
            var parts: [S3CompletedPart] = []
            var start: Int64 = 0
            while start < size {
                let end = min(size, start + partSize) - 1
                parts.append(
                    try await uploadPartCopy(
                        bucket: bucket, from: sourceKey, range: start...end, to: key, uploadID: uploadID,
                        partNumber: parts.count + 1, ifMatch: ifMatch))
                start = end + 1
            }
            return try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: parts)
        } catch {
            try? await abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            throw error
        }
    }

    /// Copies `range` of `sourceKey` as part `partNumber` of a multipart upload to `key`.
    func uploadPartCopy(
        bucket: String, from sourceKey: String, range: ClosedRange<Int64>, to key: String, uploadID: String,
        partNumber: Int, ifMatch: String? = nil
    ) async throws -> S3CompletedPart {
        var headers = HTTPHeaders()
        headers.add(name: "x-amz-copy-source", value: "/" + URIEncoding.encode(bucket) + "/" + URIEncoding.encode(sourceKey, keepSlash: true))
        if let ifMatch { headers.add(name: "x-amz-copy-source-if-match", value: "\"\(ifMatch)\"") }
        headers.add(name: "x-amz-copy-source-range", value: "bytes=\(range.lowerBound)-\(range.upperBound)")
        let query = "partNumber=\(partNumber)&uploadId=\(URIEncoding.encode(uploadID))"
        let response = try await send(
            request("UploadPartCopy", .PUT, bucket: bucket, key: key, query: query, headers: headers),
            bucket: bucket, key: key)
        let eTag = S3ObjectInfo.unquoted(try xml(response, operation: "UploadPartCopy").text("ETag") ?? "")
        return S3CompletedPart(partNumber: partNumber, eTag: eTag, size: Int64(range.count))
    }

    // MARK: Helpers

    static func objectHeaders(contentType: String, metadata: [String: String]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            headers.add(name: "x-amz-meta-\(name.lowercased())", value: value)
        }
        return headers
    }

    /// S3 keys are 1…1,024 bytes of UTF-8.
    static func validate(key: String) throws(S3Error) {
        guard !key.isEmpty, key.utf8.count <= 1024 else {
            throw S3Error(code: .invalidArgument, message: "an S3 key must be 1 to 1024 bytes long, not \(key.utf8.count)")
        }
    }
}
