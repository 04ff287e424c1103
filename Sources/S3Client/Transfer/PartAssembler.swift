import NIOCore

/// Cuts a byte stream into parts of exactly `partSize` bytes (the last may be shorter), splitting incoming
/// buffers at part boundaries so a part's storage never grows past its size.
struct PartAssembler<Base: AsyncIteratorProtocol> where Base.Element == ByteBuffer {
    private var base: Base
    private var carry: ByteBuffer?
    private var exhausted = false
    let partSize: Int

    init(_ base: Base, partSize: Int) {
        self.base = base
        self.partSize = partSize
    }

    /// The next part, or `nil` at the end of the stream.
    mutating func next() async throws -> ByteBuffer? {
        var part = ByteBufferAllocator().buffer(capacity: partSize)
        while part.readableBytes < partSize {
            var chunk: ByteBuffer
            if let carried = carry {
                chunk = carried
                carry = nil
            } else if !exhausted, let received = try await base.next() {
                chunk = received
            } else {
                exhausted = true
                break
            }
            let needed = partSize - part.readableBytes
            if chunk.readableBytes > needed, var head = chunk.readSlice(length: needed) {
                part.writeBuffer(&head)
                carry = chunk
            } else {
                part.writeBuffer(&chunk)
            }
        }
        return part.readableBytes == 0 ? nil : part
    }
}
