import Foundation
import HTTPTypes
import Hummingbird
import Logging
import S3Client
import SQSClient
import VideoCore
import VideoStore

/// `/v1/videos`: ingest, read, list, cancel or delete, retry.
struct VideoRoutes: Sendable {
    let configuration: ProducerConfiguration
    let store: any VideoStore
    let s3: S3Client
    let ingestor: VideoIngestor
    let dispatcher: OutboxDispatcher
    let limits: RequestLimits

    func add(to group: RouterGroup<ProducerRequestContext>) {
        group.post("videos") { request, context in try await create(request, context: context) }
        group.get("videos") { request, context in try await list(request, context: context) }
        group.get("videos/:id") { request, context in try await show(request, context: context) }
        group.delete("videos/:id") { request, context in try await cancelOrDelete(request, context: context) }
        group.post("videos/:id/retry") { request, context in try await retry(request, context: context) }
    }

    // MARK: POST /v1/videos

    func create(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        guard let key = try Idempotency.key(in: request) else {
            return try await accepted(try await ingest(request, context: context, caller: caller))
        }
        let fields = UploadFields(request)
        let contentType = (request.headers[.contentType] ?? "").split(separator: ";").first.map(String.init) ?? ""
        // What is compared: every setting sent in the query or headers, and what the headers say of the body (its
        // length, declared checksums, multipart boundary). A multipart body's own fields are not read before the key is
        // looked up; a different title there changes the body's length in all but contrived cases.
        func header(_ name: String) -> String { HTTPField.Name(name).flatMap { request.headers[$0] } ?? "" }
        let fingerprint = Idempotency.fingerprint([
            "POST /v1/videos", fields.title ?? "", fields.filename ?? "", fields.jobs ?? "",
            contentType.lowercased(), fields.metadata ?? "", fields.preset ?? "", fields.options ?? "",
            request.headers[.contentLength] ?? "", header("Content-SHA256"), header("x-amz-content-sha256"),
            header("Content-MD5"), request.headers[.contentType] ?? "",
        ])
        let idempotency = Idempotency(store: store, owner: caller.owner, key: key, fingerprint: fingerprint)
        let result = try await idempotency.run { (202, try await ingest(request, context: context, caller: caller).id.uuidString) }
        guard let id = UUID(uuidString: result.response), let record = try await store.video(id: id, owner: caller.owner) else {
            throw APIError(.conflict, code: "idempotency_key_reused", message: "the video created under this Idempotency-Key was deleted")
        }
        var response = try await accepted(record)
        // A replay does not read the upload again: a rest that cannot be drained closes the connection.
        if result.replayed, await ReadToEnd.mustClose(after: request, readStarted: false) {
            response.headers[.connection] = "close"
            context.channel.close(mode: .input, promise: nil)
        }
        return response
    }

    /// `202` with the record and, as its `Location`, its status URL (an upload accepted, a direct upload completed).
    static func accepted(_ record: VideoRecord, configuration: ProducerConfiguration, store: any VideoStore, s3: S3Client) async throws -> Response {
        let body = try await response(for: record, downloads: false, configuration: configuration, store: store, s3: s3)
        var response = try body.response(status: .accepted)
        response.headers[.location] = body.statusURL
        return response
    }

    private func accepted(_ record: VideoRecord) async throws -> Response {
        try await Self.accepted(record, configuration: configuration, store: store, s3: s3)
    }

    /// Streams the upload into S3 and records it.
    private func ingest(_ request: Request, context: ProducerRequestContext, caller: APIKey) async throws -> VideoRecord {
        try RequestLimits.take(limits.uploads, caller.owner, what: "uploads")
        let lease = try RequestLimits.hold(limits.activeUploads, caller.owner, code: "too_many_uploads", what: "uploads")
        defer { lease.release() }
        if let declaredLength = request.headers[.contentLength].flatMap(Int64.init), declaredLength > configuration.maximumUploadBytes {
            throw APIError.tooLarge(limit: configuration.maximumUploadBytes)
        }
        let fields = UploadFields(request)
        let header = { (name: String) in HTTPField.Name(name).flatMap { request.headers[$0] } }
        var upload = VideoIngestor.Upload(
            owner: caller.owner, title: fields.title ?? "", filename: fields.filename, jobs: try Self.jobs(fields.jobs),
            declaredSHA256: header("Content-SHA256") ?? header("x-amz-content-sha256"),
            declaredMD5: header("Content-MD5"),
            metadata: try Self.metadata(fields.metadata), preset: fields.preset, options: try PresetCatalog.options(fields.options))
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        let body = BodyLimit(base: request.body, limit: configuration.maximumUploadBytes)
        let record: VideoRecord
        do {
            if contentType.hasPrefix("multipart/form-data") {
                guard let boundary = MultipartFileStream<RequestBody>.boundary(of: request.headers[.contentType] ?? "") else {
                    throw APIError.badRequest("multipart/form-data needs a boundary parameter", code: "malformed_multipart")
                }
                let form = MultipartFileStream(base: body, boundary: boundary, limits: configuration.multipartLimits)
                record = try await ingestor.ingest(form, upload: upload) { upload in
                    if upload.title.isEmpty, let title = form.fields["title"] { upload.title = title }
                    if upload.filename == nil { upload.filename = form.filename }
                    if upload.jobs.isEmpty, let jobs = form.fields["jobs"] { upload.jobs = try Self.jobs(jobs) }
                    if upload.metadata == nil { upload.metadata = try Self.metadata(form.fields["metadata"]) }
                    if upload.preset == nil { upload.preset = form.fields["preset"] }
                    if upload.options == nil { upload.options = try PresetCatalog.options(form.fields["options"]) }
                    try Self.validate(&upload, configuration: configuration)
                }
            } else if contentType.hasPrefix("video/") || contentType.hasPrefix("application/octet-stream") {
                try Self.validate(&upload, configuration: configuration)
                record = try await ingestor.ingest(body, upload: upload)
            } else {
                throw APIError.unsupportedMedia("send the video as the raw body (Content-Type: video/*) or as multipart/form-data with a file part")
            }
        }
        // A refusal with a long or endless rest unread closes the connection (``ErrorMiddleware``).
        return record
    }

    /// An upload's settings as the request gives them: each from the query, else its header (`?title=` or
    /// `X-Video-Title`, `filename`/`X-Filename`, `jobs`/`X-Video-Jobs`, `metadata`/`X-Video-Metadata`,
    /// `preset`/`X-Video-Preset`, `options`/`X-Video-Options`).
    struct UploadFields {
        var title, filename, jobs, metadata, preset, options: String?

        init(_ request: Request) {
            let query = request.uri.queryParameters
            func field(_ name: String, _ header: String) -> String? {
                query[Substring(name)].map(String.init) ?? HTTPField.Name(header).flatMap { request.headers[$0] }
            }
            title = field("title", "X-Video-Title")
            filename = field("filename", "X-Filename")
            jobs = field("jobs", "X-Video-Jobs")
            metadata = field("metadata", "X-Video-Metadata")
            preset = field("preset", "X-Video-Preset")
            options = field("options", "X-Video-Options")
        }
    }

    /// A refused upload whose unread rest is at most this long (by its `Content-Length`) is read and thrown away,
    /// so the connection can serve the next request; a longer one, or one without a length, closes the connection.
    static let drainableBytes: Int64 = 1 << 20

    /// The longest title, in UTF-8 bytes.
    static let maximumTitleBytes = 1_000

    /// Trims the title, drops format characters (bidi overrides and isolates, zero-width characters: they make a
    /// title display other than it reads), and refuses control characters and titles over
    /// ``maximumTitleBytes`` UTF-8 bytes; an empty title becomes the sanitized file name. Resolves the preset and the
    /// processing options (``PresetCatalog``).
    static func validate(_ upload: inout VideoIngestor.Upload, configuration: ProducerConfiguration) throws {
        let resolved = try configuration.presets.resolve(preset: upload.preset, options: upload.options, codecs: configuration.codecs)
        upload.preset = resolved.preset
        upload.options = resolved.options
        guard !upload.title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) else {
            throw APIError.badRequest("the title must not contain control characters", code: "invalid_title")
        }
        upload.title = String(String.UnicodeScalarView(upload.title.unicodeScalars.filter { $0.properties.generalCategory != .format }))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if upload.title.isEmpty { upload.title = FilenameSanitizer.sanitize(upload.filename) }
        guard upload.title.utf8.count <= maximumTitleBytes else {
            throw APIError.badRequest("the title must be at most \(maximumTitleBytes) bytes of UTF-8", code: "invalid_title")
        }
    }

    /// The caller's metadata: a JSON object of at most 4 KiB (`400 invalid_metadata` otherwise); `nil` when none.
    static func metadata(_ text: String?) throws -> [String: JSONValue]? {
        guard let text, !text.isEmpty else { return nil }
        switch CallerMetadata.parse(text) {
        case .success(let object): return object
        case .failure(let error): throw APIError.badRequest(error.message, code: "invalid_metadata")
        }
    }

    static func jobs(_ text: String?) throws -> [JobType] {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        do {
            return try ProducerConfiguration.jobs(text, setting: "jobs")
        } catch {
            throw APIError.badRequest(error.message, code: "unknown_job_type")
        }
    }

    // MARK: GET /v1/videos/:id

    func show(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let record = try await context.requestedVideo(in: store)
        return try await response(for: record, downloads: true).response(status: .ok)
    }

    // MARK: GET /v1/videos

    func list(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let owner = try context.ownerScope()
        let query = request.uri.queryParameters
        var status: VideoStatus?
        if let text = query["status"] {
            guard let parsed = VideoStatus(rawValue: String(text)) else {
                throw APIError.badRequest("unknown status '\(text)'", code: "invalid_status")
            }
            status = parsed
        }
        var limit = 20
        if let text = query["limit"] {
            guard let value = Int(String(text)), (1...100).contains(value) else {
                throw APIError.badRequest("limit must be 1…100", code: "invalid_limit")
            }
            limit = value
        }
        do {
            let page = try await store.videos(owner: owner, status: status, cursor: query["cursor"].map(String.init), limit: limit)
            return try VideoListResponse(videos: page.videos.map(\.withoutSegments.record), nextCursor: page.nextCursor).response(status: .ok)
        } catch let error as VideoStoreError where error.code == .invalidCursor {
            throw APIError.badRequest("the cursor is not one this API gave out", code: "invalid_cursor")
        }
    }

    // MARK: DELETE /v1/videos/:id

    func cancelOrDelete(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        try RequestLimits.take(limits.control, try context.requireCaller().owner, what: "cancel, delete and retry requests")
        let record = try await context.requestedVideo(in: store)
        let owner = try context.ownerScope()
        if ![.completed, .failed, .cancelled].contains(record.status) {
            guard let cancelled = try await store.cancel(id: record.id, owner: owner) else {
                throw APIError.conflict("the video changed state meanwhile; try again")
            }
            return try await accepted(cancelled)
        }
        _ = try await VideoDeletion.delete(record, owner: owner, store: store, s3: s3, bucket: configuration.bucket)
        return Response(status: .noContent)
    }

    // MARK: POST /v1/videos/:id/retry

    func retry(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        try RequestLimits.take(limits.control, try context.requireCaller().owner, what: "cancel, delete and retry requests")
        let record = try await context.requestedVideo(in: store)
        guard record.status == .failed, let retried = try await store.retry(id: record.id, owner: try context.ownerScope()) else {
            throw APIError.conflict("only a failed video can be retried (this one is \(record.status.rawValue))")
        }
        dispatcher.nudge()
        return try await accepted(retried)
    }

    // MARK: Helpers

    func response(for record: VideoRecord, downloads: Bool) async throws -> VideoResponse {
        try await Self.response(for: record, downloads: downloads, configuration: configuration, store: store, s3: s3)
    }

    static func response(
        for record: VideoRecord, downloads: Bool, configuration: ProducerConfiguration,
        store: any VideoStore, s3: S3Client
    ) async throws -> VideoResponse {
        let base = (configuration.publicURL ?? "") + "/v1/videos/\(record.id.uuidString.lowercased())"
        let shown = record.withoutSegments
        var response = VideoResponse(video: shown.record, statusURL: base, eventsURL: base + "/events")
        response.hlsSegments = shown.segments > 0 ? shown.segments : nil
        response.expiresAt = configuration.retention.expiresAt(record)
        if record.status == .queued || record.status == .pending {
            let ahead = try await store.queuePosition(of: record.id) ?? 0
            response.queuePosition = ahead
            if let average = try await store.averageProcessingSeconds(recent: 50) {
                response.estimatedWaitSeconds = (Double(ahead) * average).rounded()
            }
        }
        if downloads {
            var urls: [String: String] = [:]
            if record.status != .cancelled || record.outputs.isEmpty {
                urls["source"] = try await s3.presignedURL(.GET, bucket: record.sourceBucket, key: record.sourceKey, expires: configuration.presignSeconds)
            }
            for output in shown.record.outputs {
                urls[output.key] = try await s3.presignedURL(.GET, bucket: record.sourceBucket, key: output.key, expires: configuration.presignSeconds)
            }
            response.downloads = urls
            response.playback = try PlaybackRoutes.links(for: record, configuration: configuration)
        }
        return response
    }
}
