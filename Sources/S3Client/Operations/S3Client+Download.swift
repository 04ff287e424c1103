import AWSClientRuntime
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

extension S3Client {
    /// Streams `key` (or the byte `range` of it) into the file at `path`, holding one network buffer per
    /// connection at a time.
    ///
    /// An object of at least ``S3ClientOptions/multipartThreshold`` bytes is fetched as
    /// ``S3ClientOptions/maximumConcurrentParts`` ranged GETs of ``S3ClientOptions/partSize`` at once, each
    /// written at its offset. A connection that drops mid-body is resumed from the byte where it stopped with a
    /// `Range` request conditioned on the object's entity tag (`If-Match`), up to
    /// ``S3ClientOptions/downloadResumeAttempts`` times per range, so an object replaced meanwhile fails with
    /// `PreconditionFailed` instead of mixing two versions. The file ends up exactly as long as the object (or
    /// range) or the call throws.
    @discardableResult
    public func download(bucket: String, key: String, to path: String, range: ClosedRange<Int64>? = nil) async throws -> S3ObjectInfo {
        try Self.validate(key: key)
        let file = try LocalFile.create(path)
        if let range {
            return try await downloadRange(bucket: bucket, key: key, range: range, into: file, at: 0, eTag: nil)
        }
        // The first part's range first: its Content-Range tells the object's size; the rest follows in parallel,
        // conditioned on the same ETag. A small object costs one request, as a plain GET would.
        let partSize = Int64(max(options.partSize, 1 << 20))
        let first: S3ObjectInfo
        do {
            first = try await downloadRange(
                bucket: bucket, key: key, range: 0...(partSize - 1), into: file, at: 0, eTag: nil,
                acceptWholeObject: true)
        } catch let error as S3Error where error.code == .invalidRange {
            // An empty object has no byte 0: fetch it whole.
            return try await downloadRange(bucket: bucket, key: key, range: nil, into: file, at: 0, eTag: nil)
        }
        if first.contentLength > partSize {
            try await downloadRemainingParts(bucket: bucket, key: key, info: first, partSize: partSize, into: file)
        }
        return first
    }

    /// Fetches everything after the first part as parallel ranged GETs, each written at its offset.
    private func downloadRemainingParts(bucket: String, key: String, info: S3ObjectInfo, partSize: Int64, into file: LocalFile) async throws {
        let size = info.contentLength
        let parts = Int((size + partSize - 1) / partSize)
        // Part 0 is there already; parts 1… follow, `maximumConcurrentParts` at once.
        _ = try await concurrently(1..<parts, atMost: options.maximumConcurrentParts) { index in
            let start = Int64(index) * partSize
            let end = min(start + partSize, size) - 1
            _ = try await downloadRange(bucket: bucket, key: key, range: start...end, into: file, at: start, eTag: info.eTag)
        }
    }

    /// Streams `range` (or the whole object) into `file` from offset `fileOffset`, resuming after drops.
    ///
    /// `acceptWholeObject`: a server that ignores `Range` and answers 200 with the whole object is fine (the first
    /// part of a download, when the object may be smaller than the range).
    private func downloadRange(
        bucket: String, key: String, range: ClosedRange<Int64>?, into file: LocalFile, at fileOffset: Int64,
        eTag: String?, acceptWholeObject: Bool = false
    ) async throws -> S3ObjectInfo {
        let start = range?.lowerBound ?? 0
        let state = DownloadState(eTag: eTag)
        var info: S3ObjectInfo?
        var expected: Int64?
        var resumes = 0
        while true {
            let written = state.written
            if let expected, written >= expected { break }
            var headers = HTTPHeaders()
            if range != nil || written > 0 {
                headers.add(name: "Range", value: "bytes=\(start + written)-\(range.map { String($0.upperBound) } ?? "")")
            }
            if let eTag = state.eTag, !eTag.isEmpty { headers.add(name: "If-Match", value: "\"\(eTag)\"") }
            let result: AWSHTTPClient.StreamResult<S3ObjectInfo>
            do {
                result = try await http.stream(request("GetObject", .GET, bucket: bucket, key: key, headers: headers)) { response in
                    let head = S3ObjectInfo(headers: response.headers)
                    state.record(eTag: head.eTag)
                    do {
                        for try await buffer in response.body {
                            try file.write(buffer, at: fileOffset + state.written)
                            state.add(Int64(buffer.readableBytes))
                        }
                    } catch let error as S3Error {
                        throw error
                    } catch {
                        // Not the retry loop's to replay: resume below from what reached the file.
                        throw AWSTransportError(
                            code: .bodyInterrupted, message: "GetObject \(key): connection lost after \(state.written) bytes",
                            attempts: 1, underlying: "\(error)")
                    }
                    return head
                }
            } catch let error as AWSTransportError where error.code == .bodyInterrupted {
                resumes += 1
                guard resumes <= options.downloadResumeAttempts else { throw error }
                logger.debug("resuming download", metadata: ["key": "\(key)", "attempt": "\(resumes)", "error": "\(error)"])
                try await Task.sleep(for: http.configuration.retry.delay(beforeRetry: resumes))
                continue
            }
            switch result {
            case .success(let head, let response):
                if info == nil {
                    info = head
                    let whole = acceptWholeObject && response.status == .ok
                    expected =
                        whole
                        ? head.contentLength
                        : range.map { min($0.upperBound, head.contentLength - 1) - $0.lowerBound + 1 } ?? head.contentLength
                }
            case .failure(let response):
                throw S3Error(http.decodeError(response), response: response, bucket: bucket, key: key, method: .GET)
            }
            if let expected, state.written >= expected { break }
            // The body ended early without an error: resume like a dropped connection.
            resumes += 1
            guard resumes <= options.downloadResumeAttempts else { break }
        }
        let received = state.written
        guard let info, let expected, received == expected else {
            throw S3Error(
                code: .incompleteBody, message: "GetObject \(key): \(received) bytes received, \(expected.map(String.init) ?? "?") expected",
                resource: "/\(bucket)/\(key)")
        }
        return info
    }

    /// What one ranged download has received, shared with its streaming closure: the bytes written and the ETag
    /// of the first answer (which conditions every resumption).
    private final class DownloadState: Sendable {
        private let state: Mutex<(written: Int64, eTag: String?)>
        init(eTag: String?) { state = Mutex((0, eTag)) }
        var written: Int64 { state.withLock { $0.written } }
        var eTag: String? { state.withLock { $0.eTag } }
        func add(_ count: Int64) { state.withLock { $0.written += count } }
        func record(eTag: String) { state.withLock { if $0.eTag == nil { $0.eTag = eTag } } }
    }

    /// Streams `key` (or a `range` of it) to `consume` as it arrives, with the object's metadata; the body is
    /// an async sequence of buffers. No resumption: a dropped connection ends the sequence with an error.
    public func withObject<Result: Sendable>(
        bucket: String, key: String, range: ClosedRange<Int64>? = nil,
        _ consume: @escaping @Sendable (S3ObjectInfo, HTTPClientResponse.Body) async throws -> Result
    ) async throws -> Result {
        try Self.validate(key: key)
        var headers = HTTPHeaders()
        if let range { headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound)") }
        let result = try await http.stream(request("GetObject", .GET, bucket: bucket, key: key, headers: headers)) { response in
            try await consume(S3ObjectInfo(headers: response.headers), response.body)
        }
        switch result {
        case .success(let value, _): return value
        case .failure(let response): throw S3Error(http.decodeError(response), response: response, bucket: bucket, key: key, method: .GET)
        }
    }
}
