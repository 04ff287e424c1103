import Crypto
import Foundation
import NIOCore
import Synchronization

/// Wraps an upload's bytes on their way to S3: recognises the container from the first bytes (before any
/// byte goes anywhere), counts them against the size limit (failing as soon as it is exceeded), and hashes
/// them (SHA-256, and MD5 when the client sent `Content-MD5`). What it saw is read from ``summary`` after the
/// upload.
struct IngestStream<Base: AsyncSequence>: AsyncSequence where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    /// What the stream saw, filled in as it is read.
    final class Summary: Sendable {
        struct State {
            var size: Int64 = 0
            var format: ContainerFormat?
            var sha256Hex: String?
            var md5Base64: String?
        }
        let state = Mutex(State())
        var value: State { state.withLock { $0 } }
    }

    let base: Base
    let limit: Int64
    let wantsMD5: Bool
    let summary = Summary()

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int64
        let summary: Summary
        var sha256 = SHA256()
        var md5: Insecure.MD5?
        var size: Int64 = 0
        var head: ByteBuffer? = ByteBuffer()
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            if finished { return nil }
            // Hold the first bytes back until the container is known.
            while var pending = head {
                if pending.readableBytes >= ContainerFormat.sniffLength {
                    head = nil
                    try identify(pending)
                    return pending
                }
                guard var chunk = try await base.next() else {
                    head = nil
                    guard pending.readableBytes > 0 else {
                        throw APIError.badRequest("the upload is empty", code: "empty_upload")
                    }
                    try identify(pending)
                    finish()
                    return pending
                }
                try account(chunk)
                pending.writeBuffer(&chunk)
                head = pending
            }
            guard let chunk = try await base.next() else {
                finish()
                return nil
            }
            try account(chunk)
            return chunk
        }

        private mutating func account(_ chunk: ByteBuffer) throws {
            size += Int64(chunk.readableBytes)
            guard size <= limit else { throw APIError.tooLarge(limit: limit) }
            chunk.withUnsafeReadableBytes { bytes in
                sha256.update(bufferPointer: bytes)
                md5?.update(bufferPointer: bytes)
            }
        }

        private func identify(_ buffer: ByteBuffer) throws {
            guard let format = ContainerFormat.sniff(buffer.readableBytesView) else {
                throw APIError.unsupportedMedia("the upload is not a video container we accept (MP4/MOV, Matroska/WebM, AVI, MPEG-TS/PS, FLV)")
            }
            summary.state.withLock { $0.format = format }
        }

        private mutating func finish() {
            finished = true
            let sha = VideoIngestor.hex(sha256.finalize())
            let md5Value = md5.map { Data($0.finalize()).base64EncodedString() }
            summary.state.withLock {
                $0.size = size
                $0.sha256Hex = sha
                $0.md5Base64 = md5Value
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit, summary: summary, md5: wantsMD5 ? Insecure.MD5() : nil)
    }
}
