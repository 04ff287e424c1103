import AWSClientRuntime
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

extension S3Client {
    /// Streams `key` (or the byte `range` of it) into the file at `path`, holding one network buffer at a time.
    ///
    /// A connection that drops mid-body is resumed from the byte where it stopped with a `Range` request
    /// conditioned on the object's entity tag (`If-Match`), up to ``S3ClientOptions/downloadResumeAttempts``
    /// times, so an object replaced meanwhile fails with `PreconditionFailed` instead of mixing two versions.
    /// The file ends up exactly as long as the object (or range) or the call throws.
    @discardableResult
    public func download(bucket: String, key: String, to path: String, range: ClosedRange<Int64>? = nil) async throws -> S3ObjectInfo {
        try Self.validate(key: key)
        let file = try LocalFile.create(path)
        let start = range?.lowerBound ?? 0
        let firstHead = HeadBox()
        var info: S3ObjectInfo?
        var expected: Int64?
        var resumes = 0
        while true {
            let written = try file.size()
            if let expected, written >= expected { break }
            var headers = HTTPHeaders()
            if range != nil || written > 0 {
                headers.add(name: "Range", value: "bytes=\(start + written)-\(range.map { String($0.upperBound) } ?? "")")
            }
            if let eTag = firstHead.value?.eTag, !eTag.isEmpty { headers.add(name: "If-Match", value: "\"\(eTag)\"") }
            let result: AWSHTTPClient.StreamResult<S3ObjectInfo>
            do {
                result = try await http.stream(request("GetObject", .GET, bucket: bucket, key: key, headers: headers)) { response in
                    let head = S3ObjectInfo(headers: response.headers)
                    firstHead.setIfEmpty(head)
                    var offset = written
                    do {
                        for try await buffer in response.body {
                            try file.write(buffer, at: offset)
                            offset += Int64(buffer.readableBytes)
                        }
                    } catch let error as S3Error {
                        throw error
                    } catch {
                        // Not the retry loop's to replay: resume below from what reached the file.
                        throw AWSTransportError(code: .bodyInterrupted, message: "GetObject \(key): connection lost after \(offset) bytes",
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
            case .success(let head, _):
                if info == nil {
                    info = head
                    expected = range.map { min($0.upperBound, head.contentLength - 1) - $0.lowerBound + 1 } ?? head.contentLength
                }
            case .failure(let response):
                throw S3Error(http.decodeError(response), response: response, bucket: bucket, key: key, method: .GET)
            }
            if let expected, try file.size() >= expected { break }
            // The body ended early without an error: resume like a dropped connection.
            resumes += 1
            guard resumes <= options.downloadResumeAttempts else { break }
        }
        let size = try file.size()
        guard let info, let expected, size == expected else {
            throw S3Error(code: .incompleteBody, message: "GetObject \(key): \(size) bytes received, \(expected.map(String.init) ?? "?") expected",
                          resource: "/\(bucket)/\(key)")
        }
        return info
    }

    /// The head of the first answer, kept across resumptions (its ETag conditions them).
    private final class HeadBox: Sendable {
        private let head = Mutex<S3ObjectInfo?>(nil)
        var value: S3ObjectInfo? { head.withLock { $0 } }
        func setIfEmpty(_ info: S3ObjectInfo) { head.withLock { if $0 == nil { $0 = info } } }
    }

    /// Streams `key` (or a `range` of it) to `consume` as it arrives, with the object's metadata; the body is
    /// an async sequence of buffers. No resumption: a dropped connection ends the sequence with an error.
    public func withObject<Result: Sendable>(bucket: String, key: String, range: ClosedRange<Int64>? = nil,
                                             _ consume: @escaping @Sendable (S3ObjectInfo, HTTPClientResponse.Body) async throws -> Result) async throws -> Result {
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
