import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import S3Client
import VideoCore
import VideoStore

/// Direct uploads for large files, as Mux and api.video offer: the client asks for presigned S3 URLs,
/// uploads to S3 itself (one PUT, or one PUT per part), then completes; the producer checks the object
/// (size, container) and records and queues it exactly as an upload through the API.
///
/// The URLs write to a staging key (`uploads/{id}/staging`), never to the source the consumer reads: `complete`
/// checks the staged object, copies it server-side to `sources/{id}/source`, deletes the staging object and
/// records the copy's size and ETag (which the consumer verifies after its download). The single PUT's URL
/// signs its `Content-Length` and `Content-Type`, each part's URL its part's `Content-Length`, and no URL
/// outlives the credentials that signed it.
struct UploadRoutes: Sendable {
    let configuration: ProducerConfiguration
    let s3: S3Client
    let ingestor: VideoIngestor
    let limits: RequestLimits

    func add(to group: RouterGroup<ProducerRequestContext>) {
        group.post("uploads") { request, context in try await start(request, context: context) }
        group.post("uploads/:token/complete") { request, context in try await complete(request, context: context) }
    }

    struct StartRequest: Decodable {
        var size: Int64
        var title: String?
        var filename: String?
        var jobs: [String]?
        var metadata: [String: JSONValue]?
        var preset: String?
        /// Read as JSON first, then as ``ProcessingOptions`` (so a bad field is answered with its path).
        var options: JSONValue?
    }

    struct Part: Codable {
        var partNumber: Int
        var url: String
    }

    struct StartResponse: Codable, ResponseEncodable {
        var uploadID: String
        var method: String
        /// The URL of a single PUT.
        var url: String?
        /// The headers the single PUT must send, with exactly these values (they are signed into the URL).
        var headers: [String: String]?
        /// The part URLs of a multipart upload, with the size of every part but the last (each URL signs its
        /// part's `Content-Length`).
        var parts: [Part]?
        var partSize: Int64?
        var completeURL: String
        var expiresAt: Date
    }

    /// The largest start request body.
    static let maximumStartBodyBytes = 64 * 1024

    func start(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: Self.maximumStartBodyBytes)
        } catch let error as APIError {
            throw error  // the body's own refusal (too slow)
        } catch {
            throw APIError.badRequest("the body must be at most \(Self.maximumStartBodyBytes) bytes of JSON", code: "invalid_body")
        }
        guard let key = try Idempotency.key(in: request) else {
            let started = try await start(bytes, caller: caller)
            var response = try started.response(status: .created)
            response.headers[.location] = started.completeURL
            return response
        }
        let idempotency = Idempotency(
            store: ingestor.store, owner: caller.owner, key: key,
            fingerprint: Idempotency.fingerprint(["POST /v1/uploads", String(buffer: bytes)]))
        let result = try await idempotency.run {
            (201, String(decoding: try await start(bytes, caller: caller).jsonData(), as: UTF8.self))
        }
        var response = Response.json(Array(result.response.utf8), status: .init(code: result.status))
        // The upload is its completion URL (the replayed answer holds it too).
        if let started = try? JSONDecoder().decode(StartResponse.self, from: Data(result.response.utf8)) {
            response.headers[.location] = started.completeURL
        }
        return response
    }

    private func start(_ bytes: ByteBuffer, caller: APIKey) async throws -> StartResponse {
        // The same budget as uploads through the API: one bucket per owner for both routes.
        try RequestLimits.take(limits.uploads, caller.owner, what: "uploads")
        let body: StartRequest
        do {
            body = try JSONDecoder().decode(StartRequest.self, from: bytes)
        } catch {
            throw APIError.badRequest("the body must be JSON {\"size\": bytes, \"title\"?, \"filename\"?, \"jobs\"?}", code: "invalid_body")
        }
        guard body.size > 0 else { throw APIError.badRequest("size must be positive", code: "invalid_size") }
        guard body.size <= configuration.maximumUploadBytes else { throw APIError.tooLarge(limit: configuration.maximumUploadBytes) }
        if let metadata = body.metadata, case .failure(let error) = CallerMetadata.check(metadata) {
            throw APIError.badRequest(error.message, code: "invalid_metadata")
        }
        let options =
            try body.options.map { value in
                try PresetCatalog.options(String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
            } ?? nil
        var upload = VideoIngestor.Upload(
            owner: caller.owner, title: body.title ?? "", filename: body.filename,
            jobs: try VideoRoutes.jobs(body.jobs?.joined(separator: ",")), preset: body.preset,
            options: options)
        try VideoRoutes.validate(&upload, configuration: configuration)
        let lifetime = try await s3.presignLifetime(configuration.presignSeconds)
        let expires = Date().addingTimeInterval(Double(lifetime))
        var token = UploadToken(
            id: UUID(), owner: caller.owner, title: upload.title, filename: upload.filename, jobs: upload.jobs,
            size: body.size, multipartUploadID: nil, partCount: nil, expires: Int64(expires.timeIntervalSince1970),
            metadata: body.metadata, preset: upload.preset, options: upload.options)
        var response = StartResponse(uploadID: "", method: "PUT", completeURL: "", expiresAt: expires)
        if body.size <= configuration.directSinglePutLimit {
            let signed = ["Content-Length": String(body.size), "Content-Type": "application/octet-stream"]
            var headers = HTTPHeaders()
            for (name, value) in signed { headers.add(name: name, value: value) }
            response.url = try await s3.presignedURL(.PUT, bucket: configuration.bucket, key: token.key, expires: lifetime, headers: headers)
            response.headers = signed
        } else {
            let partSize = Int64(s3.options.partSize(forUploadOf: Int(body.size)))
            let count = Int((body.size + partSize - 1) / partSize)
            let uploadID = try await s3.createMultipartUpload(bucket: configuration.bucket, key: token.key, contentType: "application/octet-stream")
            token.multipartUploadID = uploadID
            token.partCount = count
            let sizes = (0..<count).map { index in min(partSize, body.size - Int64(index) * partSize) }
            let urls = try await s3.presignedPartURLs(
                bucket: configuration.bucket, key: token.key, uploadID: uploadID, partCount: count,
                expires: lifetime, sizes: sizes)
            response.parts = urls.enumerated().map { Part(partNumber: $0.offset + 1, url: $0.element) }
            response.partSize = partSize
        }
        response.uploadID = try token.signed(with: configuration.uploadSecret)
        response.completeURL = (configuration.publicURL ?? "") + "/v1/uploads/\(response.uploadID)/complete"
        return response
    }

    func complete(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let token = try UploadToken.verify(context.parameters.get("token") ?? "", secret: configuration.uploadSecret)
        guard token.owner == caller.owner else { throw APIError.notFound("upload") }
        let lease = try RequestLimits.hold(limits.activeUploads, caller.owner, code: "too_many_uploads", what: "uploads")
        defer { lease.release() }
        // Completed already (a retried completion): the same answer again, not a second video.
        if let existing = try await ingestor.store.video(id: token.id, owner: caller.owner) {
            return try await accepted(existing)
        }
        // A completion that copied the source but failed to record it (or ran beside this one) left the staging
        // object gone and the source in place: the checked source is recorded now.
        if let source = try await s3.objectInfo(bucket: configuration.bucket, key: token.sourceKey), source.contentLength == token.size,
            try await s3.objectInfo(bucket: configuration.bucket, key: token.key) == nil
        {
            let format = try await sniff(key: token.sourceKey, deleteIfRefused: false)
            return try await register(token, caller: caller, size: source.contentLength, eTag: source.eTag, format: format)
        }
        if let uploadID = token.multipartUploadID {
            let parts = try await s3.listParts(bucket: configuration.bucket, key: token.key, uploadID: uploadID)
            let numbers = Set(parts.map(\.partNumber))
            let expected = Set(1...max(1, token.partCount ?? 1))
            guard numbers == expected else {
                let missing = expected.subtracting(numbers).sorted().prefix(10).map(String.init).joined(separator: ", ")
                throw APIError.badRequest("parts \(missing) have not been uploaded", code: "incomplete_upload")
            }
            do {
                _ = try await s3.completeMultipartUpload(bucket: configuration.bucket, key: token.key, uploadID: uploadID, parts: parts)
            } catch let error as S3Error where error.code == .noSuchUpload {
                // Completed already (a retried completion): the object check below decides.
            }
        }
        guard let info = try await s3.objectInfo(bucket: configuration.bucket, key: token.key) else {
            throw APIError.badRequest("nothing was uploaded to the upload's URL", code: "incomplete_upload")
        }
        guard info.contentLength == token.size else {
            try await s3.deleteObject(bucket: configuration.bucket, key: token.key)
            throw APIError.badRequest(
                "the uploaded object has \(info.contentLength) bytes, not the \(token.size) declared; it was deleted",
                code: "size_mismatch")
        }
        let format = try await sniff(key: token.key, deleteIfRefused: true)
        // The checked bytes become the source by a server-side copy conditional on the staging object being the one
        // checked (a PUT in between is refused, not copied); the staging object, which the URLs can still write, is
        // deleted once the video is recorded.
        let eTag: String
        do {
            eTag = try await s3.copy(bucket: configuration.bucket, from: token.key, to: token.sourceKey, size: info.contentLength, ifMatch: info.eTag)
        } catch let error as S3Error where error.code == .preconditionFailed {
            throw APIError(.conflict, code: "source_changed", message: "the uploaded object changed while it was checked; complete the upload again")
        }
        let response = try await register(token, caller: caller, size: info.contentLength, eTag: eTag, format: format)
        try? await s3.deleteObject(bucket: configuration.bucket, key: token.key)
        return response
    }

    /// The container of the object at `key`; an object that is none we accept is refused (and deleted when asked).
    private func sniff(key: String, deleteIfRefused: Bool) async throws -> ContainerFormat {
        let head = try await s3.withObject(bucket: configuration.bucket, key: key, range: 0...Int64(ContainerFormat.sniffLength - 1)) { _, body in
            try await body.collect(upTo: ContainerFormat.sniffLength)
        }
        guard let format = ContainerFormat.sniff(head.readableBytesView) else {
            if deleteIfRefused { try await s3.deleteObject(bucket: configuration.bucket, key: key) }
            throw APIError.unsupportedMedia("the uploaded object is not a video container we accept\(deleteIfRefused ? "; it was deleted" : "")")
        }
        return format
    }

    /// Records and queues the upload's video; a completion that raced this one answers the video it recorded.
    private func register(_ token: UploadToken, caller: APIKey, size: Int64, eTag: String, format: ContainerFormat) async throws -> Response {
        let upload = VideoIngestor.Upload(
            owner: token.owner, title: token.title, filename: token.filename, jobs: token.jobs,
            metadata: token.metadata, preset: token.preset, options: token.options)
        let record: VideoRecord
        do {
            record = try await ingestor.register(id: token.id, upload: upload, key: token.sourceKey, size: size, sha256: nil, eTag: eTag, format: format)
        } catch let error as VideoStoreError where error.code == .conflict {
            guard let existing = try await ingestor.store.video(id: token.id, owner: caller.owner) else {
                throw APIError.conflict("this upload was completed already")
            }
            return try await accepted(existing)
        }
        return try await accepted(record)
    }

    private func accepted(_ record: VideoRecord) async throws -> Response {
        try await VideoRoutes.accepted(record, configuration: configuration, store: ingestor.store, s3: s3)
    }
}
