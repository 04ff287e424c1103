import NIOCore
import Synchronization

/// A request body that fails with `413 payload_too_large` as soon as more than `limit` bytes have arrived, with or
/// without a `Content-Length`: every byte of a body counts, not only a multipart body's file. ``ended`` tells
/// whether the body was read to its end: a request refused before that has its connection closed (see
/// ``APIError/closingConnection()``) rather than the rest of a body that may never end read and thrown away.
struct BodyLimit<Base: AsyncSequence>: AsyncSequence where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    let base: Base
    let limit: Int64
    private let end = EndFlag()

    /// Set once the body's last byte was read.
    final class EndFlag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .relaxed) }
        func set() { value.store(true, ordering: .relaxed) }
    }

    init(base: Base, limit: Int64) {
        self.base = base
        self.limit = limit
    }

    /// Whether the body was read to its end.
    var ended: Bool { end.isSet }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int64
        let end: EndFlag
        var count: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else {
                end.set()
                return nil
            }
            count += Int64(buffer.readableBytes)
            guard count <= limit else { throw APIError.tooLarge(limit: limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit, end: end)
    }
}
