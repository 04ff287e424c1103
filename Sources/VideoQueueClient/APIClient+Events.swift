import AsyncHTTPClient
import Foundation
import NIOCore

extension APIClient {
    /// Follows a video's progress (`GET /v1/videos/{id}/events`) until its `done` event: each `progress` event goes to
    /// `onEvent`; returns the last event.
    /// - Throws: ``ClientError`` (`not_found`, `unreachable`, `stream_ended` when the stream stops before `done`).
    public func follow(_ id: String, onEvent: (ProgressEvent) -> Void) async throws -> ProgressEvent {
        var request = request(.GET, "/v1/videos/\(Self.pathComponent(id))/events")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .hours(24))
        } catch {
            throw ClientError(code: "unreachable", message: "\(request.url): \(error)")
        }
        guard response.status.code < 400 else {
            throw Self.apiError(status: Int(response.status.code), body: Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
        }
        var parser = EventStreamParser()
        var last: ProgressEvent?
        for try await buffer in response.body {
            for event in parser.feed(buffer.readableBytesView) {
                guard event.name == "progress" || event.name == "done" else {
                    if event.name == "gone" { throw ClientError(code: "not_found", message: "the video was deleted") }
                    continue
                }
                let progress = try Self.decode(ProgressEvent.self, Data(event.data.utf8))
                last = progress
                onEvent(progress)
                if event.name == "done" { return progress }
            }
        }
        throw ClientError(code: "stream_ended", message: "the event stream ended before the video finished" + (last.map { " (\($0.status))" } ?? ""))
    }

    /// Streams `url` (a presigned download URL) into `file`; `progress` gets the bytes written so far.
    public func download(_ url: String, to file: URL, progress: (Int64, Int64?) -> Void) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .hours(6))
        } catch {
            throw ClientError(code: "unreachable", message: "the download failed: \(error)")
        }
        guard response.status.code == 200 else {
            throw ClientError(code: "download_failed", message: "the bucket answered \(response.status.code)", status: Int(response.status.code))
        }
        let total = response.headers.first(name: "Content-Length").flatMap(Int64.init)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = file.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil), let handle = FileHandle(forWritingAtPath: partial.path) else {
            throw ClientError(code: "file_unwritable", message: "cannot write \(partial.path)")
        }
        var written: Int64 = 0
        do {
            for try await buffer in response.body {
                try handle.write(contentsOf: Data(buffer.readableBytesView))
                written += Int64(buffer.readableBytes)
                progress(written, total)
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        if let total, written != total {
            try? FileManager.default.removeItem(at: partial)
            throw ClientError(code: "download_failed", message: "got \(written) of \(total) bytes")
        }
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: partial, to: file)
    }
}
