import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Synchronization
import VideoCore

/// Uploads a file: through the API in one streamed request when it is small, or as a direct upload to S3 (the
/// presigned URLs of `POST /v1/uploads`, parts in parallel) when it is large. A direct upload is resumable: its
/// URLs and the parts already sent are kept in a state file (``stateDirectory``), and running the same upload
/// again after an interruption sends only the missing parts, as long as the URLs have not expired.
public struct Uploader: Sendable {
    /// What the upload asks for.
    public struct Settings: Sendable {
        public var title: String?
        public var jobs: [String]?
        public var preset: String?
        /// Processing options as JSON.
        public var options: String?

        public init(title: String? = nil, jobs: [String]? = nil, preset: String? = nil, options: String? = nil) {
            self.title = title
            self.jobs = jobs
            self.preset = preset
            self.options = options
        }
    }

    /// What a direct upload keeps between runs.
    struct State: Codable {
        var start: UploadStart
        var size: Int64
        var modified: Double
        var done: Set<Int>
    }

    public let client: APIClient
    /// Files from this size on go directly to S3.
    public var directThreshold: Int64
    /// Parts sent at once.
    public var parallelParts: Int
    /// Where resumable uploads keep their state (`$XDG_CACHE_HOME/videoqueue/uploads` or `~/.cache/videoqueue/uploads`).
    public var stateDirectory: URL

    public init(client: APIClient, directThreshold: Int64 = 64 << 20, parallelParts: Int = 4, stateDirectory: URL? = nil) {
        self.client = client
        self.directThreshold = directThreshold
        self.parallelParts = max(1, parallelParts)
        let environment = ProcessInfo.processInfo.environment
        let cache =
            environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSTemporaryDirectory()).appendingPathComponent(".cache")
        self.stateDirectory = stateDirectory ?? cache.appendingPathComponent("videoqueue/uploads")
    }

    /// Uploads `path`; returns the API's answer (the video). `progress` receives the bytes sent so far.
    public func upload(
        _ path: String, settings: Settings, direct: Bool? = nil,
        progress: @escaping @Sendable (Int64) -> Void = { _ in }
    ) async throws -> (document: VideoDocument, raw: Data) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.int64Value, FileManager.default.isReadableFile(atPath: path)
        else {
            throw ClientError(code: "file_unreadable", message: "cannot read \(path)")
        }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let answer =
            direct ?? (size >= directThreshold)
            ? try await directUpload(path, size: size, modified: modified, settings: settings, progress: progress)
            : try await apiUpload(path, size: size, settings: settings, progress: progress)
        return (try APIClient.decode(VideoDocument.self, answer), answer)
    }

    /// `POST /v1/videos` with the file as the body.
    func apiUpload(_ path: String, size: Int64, settings: Settings, progress: @escaping @Sendable (Int64) -> Void) async throws -> Data {
        var query = ["filename=\(APIClient.queryValue(URL(fileURLWithPath: path).lastPathComponent))"]
        if let title = settings.title { query.append("title=\(APIClient.queryValue(title))") }
        if let jobs = settings.jobs { query.append("jobs=\(APIClient.queryValue(jobs.joined(separator: ",")))") }
        if let preset = settings.preset { query.append("preset=\(APIClient.queryValue(preset))") }
        if let options = settings.options { query.append("options=\(APIClient.queryValue(options))") }
        var request = client.request(.POST, "/v1/videos?" + query.joined(separator: "&"))
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        let sent = Mutex<Int64>(0)
        let chunks = FileChunks(path: path, range: 0..<size) { count in
            progress(
                sent.withLock {
                    $0 += Int64(count)
                    return $0
                })
        }
        request.body = .stream(chunks, length: .known(size))
        return try await client.send(request, timeout: .hours(24)).body
    }

    /// The state file of an upload of `path` with this size and modification time.
    func stateFile(_ path: String, size: Int64, modified: Double) -> URL {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let digest = SHA256.hash(data: Data("\(client.baseURL)|\(absolute)|\(size)|\(modified)".utf8))
        return stateDirectory.appendingPathComponent(digest.prefix(16).map { String(format: "%02x", $0) }.joined() + ".json")
    }

    /// The direct upload: start (or resume), send the missing parts, complete.
    func directUpload(
        _ path: String, size: Int64, modified: Double, settings: Settings,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> Data {
        let file = stateFile(path, size: size, modified: modified)
        var state: State
        if let data = FileManager.default.contents(atPath: file.path), let saved = try? JSONDecoder().decode(State.self, from: data),
            saved.size == size, saved.start.expiresAt > Date().addingTimeInterval(60)
        {
            state = saved
        } else {
            state = State(start: try await start(path, size: size, settings: settings), size: size, modified: modified, done: [])
            try save(state, to: file)
        }
        let start = state.start
        let sent = Mutex<Int64>(0)
        let report: @Sendable (Int) -> Void = { count in
            progress(
                sent.withLock {
                    $0 += Int64(count)
                    return $0
                })
        }
        if let parts = start.parts, let partSize = start.partSize {
            let done = Mutex(state.done)
            // Parts sent by an earlier run count as sent.
            for number in state.done { report(Int(min(partSize, size - Int64(number - 1) * partSize))) }
            let missing = parts.filter { !state.done.contains($0.partNumber) }
            try await withThrowingTaskGroup(of: Int.self) { group in
                var queue = missing[...]
                func next() {
                    guard let part = queue.popFirst() else { return }
                    let offset = Int64(part.partNumber - 1) * partSize
                    let range = offset..<min(size, offset + partSize)
                    group.addTask {
                        try await self.put(part.url, path: path, range: range, headers: [:], progress: report)
                        return part.partNumber
                    }
                }
                for _ in 0..<parallelParts { next() }
                while let finished = try await group.next() {
                    let snapshot = done.withLock {
                        $0.insert(finished)
                        return $0
                    }
                    state.done = snapshot
                    try save(state, to: file)
                    next()
                }
            }
        } else if let url = start.url {
            try await put(url, path: path, range: 0..<size, headers: start.headers ?? [:], progress: report)
        } else {
            throw ClientError(code: "bad_answer", message: "the upload's start named neither a URL nor parts")
        }
        let answer = try await client.call(.POST, start.completeURL.isEmpty ? "/v1/uploads/\(start.uploadID)/complete" : start.completeURL)
        try? FileManager.default.removeItem(at: file)
        return answer.body
    }

    func start(_ path: String, size: Int64, settings: Settings) async throws -> UploadStart {
        var body: [String: Any] = ["size": size, "filename": URL(fileURLWithPath: path).lastPathComponent]
        if let title = settings.title { body["title"] = title }
        if let jobs = settings.jobs { body["jobs"] = jobs }
        if let preset = settings.preset { body["preset"] = preset }
        if let options = settings.options {
            guard let object = try? JSONSerialization.jsonObject(with: Data(options.utf8)) else {
                throw ClientError(code: "invalid_options", message: "--options is not JSON")
            }
            body["options"] = object
        }
        let answer = try await client.call(.POST, "/v1/uploads", json: try JSONSerialization.data(withJSONObject: body))
        return try APIClient.decode(UploadStart.self, answer.body)
    }

    /// PUTs `range` of the file to a presigned URL (no API key: the URL is the authorization).
    func put(_ url: String, path: String, range: Range<Int64>, headers: [String: String], progress: @escaping @Sendable (Int) -> Void) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .PUT
        for (name, value) in headers where name.lowercased() != "content-length" { request.headers.add(name: name, value: value) }
        request.body = .stream(FileChunks(path: path, range: range, progress: progress), length: .known(Int64(range.count)))
        let response: HTTPClientResponse
        do {
            response = try await client.http.execute(request, timeout: .hours(6))
        } catch {
            throw ClientError(code: "unreachable", message: "the upload to S3 failed: \(error)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw ClientError(
                code: "upload_failed", message: "S3 answered \(response.status.code): \(String(buffer: body).prefix(300))",
                status: Int(response.status.code))
        }
    }

    func save(_ state: State, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder().encode(state).write(to: file, options: .atomic)
    }
}
