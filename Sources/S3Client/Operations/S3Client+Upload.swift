import AWSClientRuntime
import AWSSigV4
import Foundation
import NIOCore

extension S3Client {
    /// Uploads the file at `path` as `key`: one streamed PutObject below ``S3ClientOptions/multipartThreshold``,
    /// else a multipart upload with ``S3ClientOptions/maximumConcurrentParts`` parts streaming from the file at
    /// once. Nothing of the file is held in memory beyond one read buffer per part in flight. A failed multipart
    /// upload is aborted, so no orphan parts remain.
    @discardableResult
    public func upload(
        file path: String, bucket: String, key: String, contentType: String = "application/octet-stream",
        metadata: [String: String] = [:]
    ) async throws -> S3UploadResult {
        try Self.validate(key: key)
        let file = try LocalFile.openForReading(path)
        let size = try file.size()
        if size < Int64(options.multipartThreshold) {
            let response = try await send(
                request(
                    "PutObject", .PUT, bucket: bucket, key: key,
                    headers: Self.objectHeaders(contentType: contentType, metadata: metadata),
                    body: try fileBody(file, offset: 0, length: size)),
                bucket: bucket, key: key)
            return S3UploadResult(
                eTag: S3ObjectInfo.unquoted(response.headers.first(name: "ETag") ?? ""), size: size, partCount: 1,
                versionID: response.headers.first(name: "x-amz-version-id"))
        }
        let partSize = Int64(options.partSize(forUploadOf: Int(size)))
        let partCount = Int((size + partSize - 1) / partSize)
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key, contentType: contentType, metadata: metadata)
        return try await abortingOnFailure(bucket: bucket, key: key, uploadID: uploadID) {
            let parts = try await concurrently(1..<(partCount + 1), atMost: options.maximumConcurrentParts) { number in
                let offset = Int64(number - 1) * partSize
                let length = min(partSize, size - offset)
                return try await uploadPart(
                    body: try fileBody(file, offset: offset, length: length), size: length,
                    bucket: bucket, key: key, uploadID: uploadID, partNumber: number)
            }
            let eTag = try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: parts)
            return S3UploadResult(eTag: eTag, size: size, partCount: parts.count)
        }
    }

    /// Uploads the bytes of `source` as `key` while they arrive, without knowing their length up front.
    ///
    /// Bytes are gathered into parts of ``S3ClientOptions/partSize``; a source that ends before the first part
    /// is full becomes one PutObject, a longer one a multipart upload with up to
    /// ``S3ClientOptions/maximumConcurrentParts`` parts uploading while the next one fills, so at most
    /// `partSize × (maximumConcurrentParts + 1)` bytes are held. If the source throws (a client went away, a
    /// size limit was hit), the task is cancelled or a part fails, the multipart upload is aborted and the
    /// error rethrown: nothing is left behind.
    @discardableResult
    public func upload<Source: AsyncSequence>(
        _ source: Source, bucket: String, key: String,
        contentType: String = "application/octet-stream",
        metadata: [String: String] = [:]
    ) async throws -> S3UploadResult where Source.Element == ByteBuffer {
        try Self.validate(key: key)
        let partSize = max(options.partSize, S3Limits.minimumPartSize)
        var parts = PartAssembler(source.makeAsyncIterator(), partSize: partSize)
        // A source that fits one part is a single PutObject.
        guard let first = try await parts.next() else {
            return try await putObject(ByteBuffer(), bucket: bucket, key: key, contentType: contentType, metadata: metadata)
        }
        guard first.readableBytes == partSize, let second = try await parts.next() else {
            return try await putObject(first, bucket: bucket, key: key, contentType: contentType, metadata: metadata)
        }
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key, contentType: contentType, metadata: metadata)
        let maximumInFlight = max(1, options.maximumConcurrentParts)
        return try await abortingOnFailure(bucket: bucket, key: key, uploadID: uploadID) {
            try await withThrowingTaskGroup(of: S3CompletedPart.self) { group in
                var completed: [S3CompletedPart] = []
                var inFlight = 0
                var number = 0
                var total: Int64 = 0
                var next: ByteBuffer? = first
                var lookahead: ByteBuffer? = second
                while let part = next {
                    if inFlight == maximumInFlight, let done = try await group.next() {
                        completed.append(done)
                        inFlight -= 1
                    }
                    number += 1
                    guard number <= S3Limits.maximumParts else {
                        throw S3Error(code: .invalidArgument, message: "the upload needs more than \(S3Limits.maximumParts) parts of \(partSize) bytes")
                    }
                    total += Int64(part.readableBytes)
                    let partNumber = number
                    inFlight += 1
                    group.addTask {
                        try await uploadPart(part, bucket: bucket, key: key, uploadID: uploadID, partNumber: partNumber)
                    }
                    next = lookahead
                    lookahead = next == nil ? nil : try await parts.next()
                }
                while let done = try await group.next() { completed.append(done) }
                let eTag = try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: completed)
                return S3UploadResult(eTag: eTag, size: total, partCount: completed.count)
            }
        }
    }

    /// Runs `body`; if it throws (or is cancelled), aborts the multipart upload before rethrowing.
    func abortingOnFailure<Result: Sendable>(
        bucket: String, key: String, uploadID: String,
        _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await body()
        } catch {
            // A new task: the abort must go out even when this one was cancelled.
            let abort = Task { try await abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID) }
            do {
                try await abort.value
            } catch let abortError {
                logger.warning(
                    "could not abort multipart upload",
                    metadata: [
                        "bucket": "\(bucket)", "key": "\(key)", "upload_id": "\(uploadID)", "error": "\(abortError)",
                    ])
            }
            throw error
        }
    }
}
