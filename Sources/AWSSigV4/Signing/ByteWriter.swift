/// Writes bytes at a moving position into memory sized in advance (a new array's or string's storage), with
/// no capacity check or uniqueness check per write: the signer computes an upper bound of every buffer it
/// builds, then fills it with plain copies.
struct ByteWriter: ByteSink {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// The number of bytes written.
    private(set) var count = 0

    /// A writer at the start of `buffer`.
    init?(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        guard let base = buffer.baseAddress else { return nil }
        self.base = base
        self.capacity = buffer.count
    }

    /// The bytes written so far.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// The bytes at `range` (already written).
    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        precondition(count < capacity, "ByteWriter overflow")
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        precondition(bytes.count <= capacity - count, "ByteWriter overflow")
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    /// Writes the UTF-8 bytes of `text`.
    @inline(__always)
    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { write($0) }
    }

    /// Writes the UTF-8 bytes of `text`.
    @inline(__always)
    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write($0) }
    }

    /// Overwrites the byte at `offset`, already written.
    mutating func replace(at offset: Int, with byte: UInt8) {
        precondition(offset < count, "ByteWriter: not written yet")
        base[offset] = byte
    }

    /// Moves the write position back to `offset`, dropping what was written after it.
    mutating func truncate(to offset: Int) {
        precondition(offset <= count, "ByteWriter: not written yet")
        count = offset
    }
}

/// Where encoders write: a ``ByteWriter`` or a growing `[UInt8]`.
protocol ByteSink {
    /// Appends one byte.
    mutating func write(_ byte: UInt8)
    /// Appends bytes.
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: ByteSink where Element == UInt8 {
    mutating func write(_ byte: UInt8) { append(byte) }
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}
