import AWSSigV4
import NIOCore

/// The bytes of a region of a file, read in pieces as they are asked for (nothing more is held).
struct FileRegionSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: LocalFile
    let offset: Int64
    let length: Int64
    let readSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: LocalFile
        var position: Int64
        let end: Int64
        let readSize: Int

        mutating func next() async throws -> ByteBuffer? {
            guard position < end else { return nil }
            let count = Int(Swift.min(Int64(readSize), end - position))
            let buffer = try file.read(at: position, count: count)
            guard buffer.readableBytes == count else {
                throw S3Error(code: .fileError, message: "'\(file.path)' became shorter while it was uploaded")
            }
            position += Int64(count)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: file, position: offset, end: offset + length, readSize: readSize)
    }
}

/// Frames a byte sequence as `aws-chunked` with the encoder of the request's signature.
struct AWSChunkedSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let encoder: AWSChunkedEncoder

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var encoder: AWSChunkedEncoder
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            while !finished {
                if let buffer = try await base.next() {
                    let framed = try buffer.withUnsafeReadableBytes { bytes in try encoder.encode(bytes) }
                    if !framed.isEmpty { return ByteBuffer(bytes: framed) }
                } else {
                    finished = true
                    return ByteBuffer(bytes: try encoder.finish())
                }
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), encoder: encoder)
    }
}
