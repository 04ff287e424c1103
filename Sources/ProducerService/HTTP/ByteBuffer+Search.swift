import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ByteBuffer {
    /// The offset (from the reader index) of the first `needle` in the readable bytes at or after `start`
    /// (`memchr` for its first byte, then a compare), or `nil`.
    func firstOffset(of needle: [UInt8], from start: Int = 0) -> Int? {
        guard let first = needle.first else { return nil }
        return withUnsafeReadableBytes { haystack -> Int? in
            var offset = start
            while offset + needle.count <= haystack.count {
                guard let base = haystack.baseAddress,
                    let hit = memchr(base + offset, Int32(first), haystack.count - offset - needle.count + 1)
                else { return nil }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, needle, needle.count) == 0 { return at }
                offset = at + 1
            }
            return nil
        }
    }
}
