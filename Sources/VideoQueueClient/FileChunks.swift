import Foundation
import NIOCore

/// A byte range of a file as an async sequence of buffers (256 KiB), each reported to `progress` as it is read, so
/// an upload streams the file without holding it.
public struct FileChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let path: String
    let range: Range<Int64>
    let progress: @Sendable (Int) -> Void

    public init(path: String, range: Range<Int64>, progress: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.path = path
        self.range = range
        self.progress = progress
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        var remaining: Int64
        let progress: @Sendable (Int) -> Void

        public mutating func next() async throws -> ByteBuffer? {
            guard remaining > 0, let handle else { return nil }
            let count = Int(Swift.min(remaining, 256 << 10))
            guard let data = try handle.read(upToCount: count), !data.isEmpty else {
                throw ClientError(code: "file_unreadable", message: "the file ended early (was it changed while uploading?)")
            }
            remaining -= Int64(data.count)
            progress(data.count)
            return ByteBuffer(bytes: data)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        let handle = FileHandle(forReadingAtPath: path)
        try? handle?.seek(toOffset: UInt64(range.lowerBound))
        return AsyncIterator(handle: handle, remaining: Int64(range.count), progress: progress)
    }
}
