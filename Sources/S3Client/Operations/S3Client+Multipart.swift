import AWSClientRuntime
import AWSSigV4
import NIOCore
import NIOHTTP1

extension S3Client {
    /// Starts a multipart upload and returns its upload id.
    public func createMultipartUpload(
        bucket: String, key: String, contentType: String = "application/octet-stream",
        metadata: [String: String] = [:]
    ) async throws -> String {
        try Self.validate(key: key)
        let response = try await send(
            request(
                "CreateMultipartUpload", .POST, bucket: bucket, key: key, query: "uploads=",
                headers: Self.objectHeaders(contentType: contentType, metadata: metadata)),
            bucket: bucket, key: key)
        guard let uploadID = try xml(response, operation: "CreateMultipartUpload").text("UploadId"), !uploadID.isEmpty else {
            throw S3Error(code: .invalidResponse, message: "CreateMultipartUpload: no UploadId in the answer", requestID: response.requestID)
        }
        return uploadID
    }

    /// Uploads one part held in memory.
    public func uploadPart(_ bytes: ByteBuffer, bucket: String, key: String, uploadID: String, partNumber: Int) async throws -> S3CompletedPart {
        try await uploadPart(
            body: .bytes(bytes), size: Int64(bytes.readableBytes), bucket: bucket, key: key,
            uploadID: uploadID, partNumber: partNumber)
    }

    /// Uploads one part with the given body.
    func uploadPart(body: AWSRequestBody, size: Int64, bucket: String, key: String, uploadID: String, partNumber: Int) async throws -> S3CompletedPart {
        guard (1...S3Limits.maximumParts).contains(partNumber) else {
            throw S3Error(code: .invalidArgument, message: "part number \(partNumber) is outside 1…\(S3Limits.maximumParts)")
        }
        let query = "partNumber=\(partNumber)&uploadId=\(URIEncoding.encode(uploadID))"
        let response = try await send(request("UploadPart", .PUT, bucket: bucket, key: key, query: query, body: body), bucket: bucket, key: key)
        guard let eTag = response.headers.first(name: "ETag") else {
            throw S3Error(code: .invalidResponse, message: "UploadPart \(partNumber): no ETag in the answer", requestID: response.requestID)
        }
        return S3CompletedPart(partNumber: partNumber, eTag: S3ObjectInfo.unquoted(eTag), size: size)
    }

    /// Completes a multipart upload from its parts (sorted by number here).
    public func completeMultipartUpload(bucket: String, key: String, uploadID: String, parts: [S3CompletedPart]) async throws -> String {
        var document = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            document += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\"\(S3XMLWriter.escaped(part.eTag))\"</ETag></Part>"
        }
        document += "</CompleteMultipartUpload>"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/xml")
        let response = try await send(
            request(
                "CompleteMultipartUpload", .POST, bucket: bucket, key: key,
                query: "uploadId=\(URIEncoding.encode(uploadID))", headers: headers,
                body: .bytes(ByteBuffer(string: document))),
            bucket: bucket, key: key)
        // A 200 may still carry an <Error> (S3 fails late); `xml` throws it.
        return S3ObjectInfo.unquoted(try xml(response, operation: "CompleteMultipartUpload").text("ETag") ?? "")
    }

    /// Aborts a multipart upload, freeing its parts. Aborting an upload that is already gone succeeds.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        do {
            try await send(
                request("AbortMultipartUpload", .DELETE, bucket: bucket, key: key, query: "uploadId=\(URIEncoding.encode(uploadID))"),
                bucket: bucket, key: key)
        } catch let error as S3Error where error.code == .noSuchUpload {
            return
        }
    }

    /// The parts uploaded so far, following pagination.
    public func listParts(bucket: String, key: String, uploadID: String) async throws -> [S3CompletedPart] {
        var parts: [S3CompletedPart] = []
        var marker: String?
        repeat {
            var query = "max-parts=1000"
            if let marker { query += "&part-number-marker=\(marker)" }
            query += "&uploadId=\(URIEncoding.encode(uploadID))"
            let response = try await send(request("ListParts", .GET, bucket: bucket, key: key, query: query), bucket: bucket, key: key)
            let root = try xml(response, operation: "ListParts")
            parts += root.children("Part").compactMap { part in
                guard let number = part.text("PartNumber").flatMap(Int.init) else { return nil }
                return S3CompletedPart(
                    partNumber: number, eTag: S3ObjectInfo.unquoted(part.text("ETag") ?? ""),
                    size: part.text("Size").flatMap(Int64.init) ?? 0)
            }
            marker = root.text("IsTruncated") == "true" ? root.text("NextPartNumberMarker") : nil
        } while marker != nil
        return parts
    }

    /// The multipart uploads in progress in `bucket` under `prefix`, for cleaning up orphans.
    public func listMultipartUploads(bucket: String, prefix: String = "") async throws -> [S3MultipartUploadSummary] {
        var uploads: [S3MultipartUploadSummary] = []
        var keyMarker: String?
        var uploadMarker: String?
        repeat {
            var query = "uploads=&prefix=\(URIEncoding.encode(prefix))"
            if let keyMarker { query += "&key-marker=\(URIEncoding.encode(keyMarker))" }
            if let uploadMarker { query += "&upload-id-marker=\(URIEncoding.encode(uploadMarker))" }
            let response = try await send(request("ListMultipartUploads", .GET, bucket: bucket, query: query), bucket: bucket)
            let root = try xml(response, operation: "ListMultipartUploads")
            uploads += root.children("Upload").compactMap { upload in
                guard let key = upload.text("Key"), let id = upload.text("UploadId") else { return nil }
                return S3MultipartUploadSummary(key: key, uploadID: id, initiated: upload.text("Initiated").flatMap(HTTPDate.parseISO8601))
            }
            let truncated = root.text("IsTruncated") == "true"
            keyMarker = truncated ? root.text("NextKeyMarker") : nil
            uploadMarker = truncated ? root.text("NextUploadIdMarker") : nil
        } while keyMarker != nil
        return uploads
    }
}
