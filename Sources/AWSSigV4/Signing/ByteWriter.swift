import Crypto

/// Writes bytes at a moving position into memory sized in advance (a new array's or string's storage), with
/// no capacity check or uniqueness check per write: the signer computes an upper bound of every buffer it
/// builds, then fills it with plain copies.
struct ByteWriter: ByteSink {
    private let base: UnsafeMutablePointer<UInt8>?
    private let capacity: Int
    /// The number of bytes written.
    private(set) var count = 0

    /// A writer at `start`, which has room for `capacity` bytes.
    init(start: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = start
        self.capacity = capacity
    }

    /// A writer at the start of `buffer`.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.base = buffer.baseAddress
        self.capacity = buffer.baseAddress == nil ? 0 : buffer.count
    }

    /// Where `count` more bytes go, after checking that they fit.
    @inline(__always)
    private func position(reserving more: Int) -> UnsafeMutablePointer<UInt8> {
        guard more <= capacity - count, let base else { preconditionFailure("ByteWriter overflow") }
        return base + count
    }

    /// The bytes written so far.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// The bytes at `range` (already written).
    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        precondition(range.upperBound <= count, "ByteWriter: not written yet")
        return UnsafeBufferPointer(rebasing: written[range])
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        position(reserving: 1).pointee = byte
        count += 1
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        // copyMemory is a memcpy call; update(from:count:) may become a byte loop.
        UnsafeMutableRawPointer(position(reserving: bytes.count)).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    /// Writes the UTF-8 bytes of `text`.
    @inline(__always)
    mutating func write(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ write($0) }) == nil {
            write(Array(text.utf8))
        }
    }

    /// Writes the UTF-8 bytes of `text`.
    @inline(__always)
    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write($0) }
    }

    /// Writes the 64 lower-case hex characters of `digest`.
    mutating func write(_ digest: SHA256.Digest) {
        Hex.write(digest, to: UnsafeMutableBufferPointer(start: position(reserving: 64), count: 64))
        count += 64
    }

    /// Claims the next `count` bytes, which the caller must fill, and returns where they start.
    @inline(__always)
    mutating func claim(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        let start = position(reserving: count)
        self.count += count
        return start
    }

    /// Overwrites the byte at `offset`, already written.
    mutating func replace(at offset: Int, with byte: UInt8) {
        precondition(offset < count, "ByteWriter: not written yet")
        base?[offset] = byte
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
    /// Appends the bytes `body` writes at the pointer it gets, which has room for `maxCount`; `body` returns how many.
    mutating func write(atMost maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int)
}

extension ByteWriter {
    @inline(__always)
    mutating func write(atMost maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        guard maxCount > 0 else { return }
        let start = count
        let written = body(claim(maxCount))
        precondition(written <= maxCount, "ByteWriter overflow")
        truncate(to: start + written)
    }
}

extension Array: ByteSink where Element == UInt8 {
    mutating func write(_ byte: UInt8) { append(byte) }
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }

    mutating func write(atMost maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxCount) { buffer in
            guard let base = buffer.baseAddress else { return }
            let written = body(base)
            precondition(written <= maxCount, "ByteSink overflow")
            append(contentsOf: UnsafeBufferPointer(start: base, count: written))
        }
    }
}
