/// Immutable bytes in one allocation, written once through a ``ByteWriter``.
///
/// The canonical request and the string to sign live here rather than in new `[UInt8]`s: on Linux every new
/// array looks up its generic storage class's metadata at run time, which costs as much as the copy itself
/// for a few hundred bytes; this class is not generic. `[UInt8]` copies are made only when asked for.
/// Never written after ``make(capacity:_:)`` returns, so holders may share it across tasks.
final class ByteStorage: ManagedBuffer<Int, UInt8> {
    /// Storage of at most `capacity` bytes, filled by `body`.
    static func make(capacity: Int, _ body: (inout ByteWriter) -> Void) -> ByteStorage {
        let storage = unsafeDowncast(create(minimumCapacity: max(capacity, 1)) { _ in 0 }, to: ByteStorage.self)
        storage.withUnsafeMutablePointers { count, bytes in
            var writer = ByteWriter(start: bytes, capacity: max(capacity, 1))
            body(&writer)
            count.pointee = writer.count
        }
        return storage
    }

    /// Calls `body` with the bytes.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeMutablePointers { count, bytes in try body(UnsafeBufferPointer(start: bytes, count: count.pointee)) }
    }

    /// A copy of the bytes.
    var array: [UInt8] { withBytes { Array($0) } }

    /// The bytes as text (they are UTF-8).
    var text: String { withBytes { String(decoding: $0, as: UTF8.self) } }
}
