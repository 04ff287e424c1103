/// The canonical headers block and the signed header names of a request.
///
/// Names are lower-cased; values trimmed, with inner runs of whitespace (line folds included) collapsed to
/// one space; repeated names joined with `,` in request order; sorted by name. Names and values are written
/// into one temporary (stack) buffer and sorted by offsets, then copied straight into the canonical request's
/// storage, so a request costs no allocation here.
enum CanonicalHeaders {
    /// Headers the signer leaves out of presigned requests: their values travel in the query instead.
    static let presignParameters = HeaderNameSet(["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"])
    /// The session token header, for ``SigV4Signer/SessionTokenPlacement/afterSigning``.
    static let sessionToken = HeaderNameSet(["x-amz-security-token"])
    /// No header.
    static let none = HeaderNameSet([String]())

    /// A header in the scratch buffer, written `name:value\n` (the name lower-cased, the value trimmed).
    private struct Entry {
        /// The name's first eight bytes, big-endian, zero-padded: comparing keys orders most names without reading them.
        var key: UInt64
        var nameStart: Int
        /// Where the `:` is.
        var nameEnd: Int
        /// After the `\n`.
        var end: Int
    }

    /// How much room ``write(request:excluding:alsoExcluding:sizes:to:)`` needs.
    struct Sizes {
        /// Bytes of all names and values, and of `host` and its value, each header with its `:` and `\n`.
        fileprivate(set) var scratch: Int
        /// Headers, plus one for `host`.
        fileprivate(set) var entries: Int
        /// Bytes of all names, `host` included.
        private var names: Int
        /// An upper bound of the bytes written: the block (at most the scratch lines), the blank line, the names with their
        /// separators. Tight, so that a signature's storage stays small (under the allocator's per-thread cache limit).
        var output: Int { scratch + 1 + names + entries }

        init(_ request: borrowing SigV4Request) {
            var size = 0
            var names = 0
            for (name, value) in request.headers {
                size += name.utf8.count + value.utf8.count
                names += name.utf8.count
            }
            self.init(host: request.host, headerCount: request.headers.count, headerSize: size, nameSize: names)
        }

        /// The sizes of a request to `host` with `headerCount` headers of `headerSize` bytes (names and values), `nameSize`
        /// of them in names.
        init(host: String, headerCount: Int, headerSize: Int, nameSize: Int) {
            entries = headerCount + 1
            scratch = host.utf8.count + 4 + headerSize + 2 * entries
            names = nameSize + 4
        }
    }

    /// Writes the canonical headers block, the blank line's `\n`, and the signed header names, in at most
    /// `sizes.output` bytes.
    ///
    /// - Returns: where the signed header names stand in `output`.
    static func write(
        request: borrowing SigV4Request, excluding excluded: HeaderNameSet, alsoExcluding extra: HeaderNameSet,
        sizes: Sizes, to output: inout ByteWriter
    ) -> Range<Int> {
        if request.headers.isEmpty, isPlain(request.host) { return writeHostOnly(request.host, to: &output) }
        return write(
            headers: request.headers.lazy.map { ($0.name, $0.value) }, host: request.host, excluding: excluded, alsoExcluding: extra, sizes: sizes, to: &output)
    }

    /// Whether `value` is written as it is: not empty, nothing to trim or collapse (no byte at or below the space).
    static func isPlain(_ value: String) -> Bool {
        withUTF8(value) { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            return !containsControlOrSpace(base, count: bytes.count)
        }
    }

    /// Writes the block of a request whose only header is `Host: host` (a presigned GET's), the blank line's `\n` and
    /// `host`; `host` must be ``isPlain(_:)``.
    ///
    /// - Returns: where the signed header names stand in `output`.
    @discardableResult
    static func writeHostOnly(_ host: String, to output: inout ByteWriter) -> Range<Int> {
        output.write("host:" as StaticString)
        output.write(host)
        output.write("\n\nhost" as StaticString)
        return output.count - 4..<output.count
    }

    /// Writes the canonical block of `headers` (and `Host: host` unless there), the blank line's `\n`, and the
    /// signed header names, in at most `sizes.output` bytes.
    ///
    /// - Returns: where the signed header names stand in `output`.
    static func write(
        headers: some Sequence<(String, String)>, host: String, excluding excluded: HeaderNameSet,
        alsoExcluding extra: HeaderNameSet, sizes: Sizes, to output: inout ByteWriter
    ) -> Range<Int> {
        write(host: host, excluding: excluded, alsoExcluding: extra, sizes: sizes, to: &output) { add in
            for (name, value) in headers { add(name, value) }
        }
    }

    /// Writes the canonical block of the headers `feed` hands to its argument (and `Host: host` unless there), the blank
    /// line's `\n`, and the signed header names, in at most `sizes.output` bytes.
    private static func write(
        host: String, excluding excluded: HeaderNameSet, alsoExcluding extra: HeaderNameSet, sizes: Sizes,
        to output: inout ByteWriter, _ feed: ((String, String) -> Void) -> Void
    ) -> Range<Int> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: sizes.scratch) { scratch in
            withUnsafeTemporaryAllocation(of: Entry.self, capacity: sizes.entries) { entries in
                var lines = ByteWriter(scratch)
                var count = 0
                var hasHost = false
                feed { name, value in
                    let nameStart = lines.count
                    writeLowercased(name, to: &lines)
                    let nameBytes = lines.bytes(nameStart..<lines.count)
                    if excluded.contains(nameBytes) || extra.contains(nameBytes) {
                        lines.truncate(to: nameStart)
                        return
                    }
                    hasHost = hasHost || (nameBytes.count == 4 && nameBytes.elementsEqual("host".utf8))
                    let nameEnd = lines.count
                    lines.write(UInt8(ascii: ":"))
                    writeTrimmed(value, to: &lines)
                    lines.write(UInt8(ascii: "\n"))
                    entries.initializeElement(at: count, to: Entry(key: sortKey(nameBytes), nameStart: nameStart, nameEnd: nameEnd, end: lines.count))
                    count += 1
                }
                if !hasHost {
                    let nameStart = lines.count
                    lines.write("host:" as StaticString)
                    writeTrimmed(host, to: &lines)
                    lines.write(UInt8(ascii: "\n"))
                    entries.initializeElement(
                        at: count,
                        to: Entry(
                            key: sortKey(lines.bytes(nameStart..<nameStart + 4)), nameStart: nameStart,
                            nameEnd: nameStart + 4, end: lines.count))
                    count += 1
                }
                let sorted = UnsafeMutableBufferPointer(rebasing: entries[0..<count])
                defer { sorted.deinitialize() }
                return emit(sorted, lines: lines.written, to: &output)
            }
        }
    }

    /// Sorts `entries` by name (equal names keep their request order) and writes the block and the names.
    private static func emit(
        _ entries: UnsafeMutableBufferPointer<Entry>, lines: UnsafeBufferPointer<UInt8>,
        to output: inout ByteWriter
    ) -> Range<Int> {
        guard let base = lines.baseAddress, let sorted = entries.baseAddress else {
            output.write(UInt8(ascii: "\n"))
            return output.count..<output.count
        }
        let count = entries.count
        func bytes(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base + start, count: end - start) }
        func name(_ entry: Entry) -> UnsafeBufferPointer<UInt8> { bytes(entry.nameStart, entry.nameEnd) }
        func sameName(_ lhs: Entry, _ rhs: Entry) -> Bool { lhs.key == rhs.key && equal(name(lhs), name(rhs)) }
        // Insertion sort by key, then (equal keys) by the whole names: a request has a handful of headers.
        for position in 1..<max(count, 1) {
            let entry = sorted[position]
            var hole = position
            while hole > 0 {
                let before = sorted[hole - 1]
                guard entry.key < before.key || (entry.key == before.key && compare(name(entry), name(before)) < 0) else { break }
                sorted[hole] = before
                hole -= 1
            }
            sorted[hole] = entry
        }
        // Each line is copied whole; a repeated name continues the previous line's value after a ",".
        for index in 0..<count {
            let entry = sorted[index]
            if index > 0, sameName(sorted[index - 1], entry) {
                output.replace(at: output.count - 1, with: UInt8(ascii: ","))
                output.write(bytes(entry.nameEnd + 1, entry.end))
            } else {
                output.write(bytes(entry.nameStart, entry.end))
            }
        }
        output.write(UInt8(ascii: "\n"))
        let signedStart = output.count
        for index in 0..<count {
            let entry = sorted[index]
            if index > 0 {
                if sameName(sorted[index - 1], entry) { continue }
                output.write(UInt8(ascii: ";"))
            }
            output.write(name(entry))
        }
        return signedStart..<output.count
    }

    /// Byte-wise comparison: negative, zero or positive.
    private static func compare(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(lhs.count, rhs.count)
        var index = 0
        if let left = lhs.baseAddress, let right = rhs.baseAddress {
            // Eight bytes at a time, compared as big-endian words: few, predictable branches.
            while index + 8 <= common {
                let a = UnsafeRawPointer(left + index).loadUnaligned(as: UInt64.self).bigEndian
                let b = UnsafeRawPointer(right + index).loadUnaligned(as: UInt64.self).bigEndian
                if a != b { return a < b ? -1 : 1 }
                index += 8
            }
        }
        while index < common {
            if lhs[index] != rhs[index] { return Int(lhs[index]) - Int(rhs[index]) }
            index += 1
        }
        return lhs.count - rhs.count
    }

    /// Whether two names are equal (lengths first: most names differ in length).
    private static func equal(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        lhs.count == rhs.count && compare(lhs, rhs) == 0
    }

    /// The first eight bytes of `name`, big-endian, zero-padded.
    private static func sortKey(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = name.baseAddress else { return 0 }
        if name.count >= 8 { return UnsafeRawPointer(base).loadUnaligned(as: UInt64.self).bigEndian }
        var key: UInt64 = 0
        for index in 0..<name.count { key |= UInt64(base[index]) << (56 - 8 * UInt64(index)) }
        return key
    }

    /// Writes `name` with `A`…`Z` lower-cased, eight bytes at a time.
    private static func writeLowercased(_ name: String, to output: inout ByteWriter) {
        Self.withUTF8(name) { bytes in
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            let count = bytes.count
            let target = output.claim(count)
            if count < 8 {
                for index in 0..<count {
                    let byte = source[index]
                    target[index] = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
                }
                return
            }
            let from = UnsafeRawPointer(source)
            let to = UnsafeMutableRawPointer(target)
            var index = 0
            while index + 8 <= count {
                to.storeBytes(of: lowercased(from.loadUnaligned(fromByteOffset: index, as: UInt64.self)), toByteOffset: index, as: UInt64.self)
                index += 8
            }
            if index < count {  // the last eight bytes, overlapping those done (lower-casing is idempotent)
                to.storeBytes(of: lowercased(from.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)), toByteOffset: count - 8, as: UInt64.self)
            }
        }
    }

    /// `word`'s eight bytes with `A`…`Z` lower-cased (bytes of 0x80 and above unchanged).
    @inline(__always)
    private static func lowercased(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7 = word & (0x7F &* ones)
        let atLeastA = low7 &+ ((0x80 - 0x41) &* ones)  // high bit set where the byte is >= "A"
        let aboveZ = low7 &+ ((0x80 - 0x5B) &* ones)  // high bit set where the byte is > "Z"
        let upper = (atLeastA ^ aboveZ) & ~word & (0x80 &* ones)
        return word | (upper >> 2)
    }

    /// Calls `body` with the UTF-8 bytes of `text`, in place when they are contiguous (native strings), without
    /// the copy of the string that `String.withUTF8` needs.
    @inline(__always)
    private static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Writes `value` trimmed, with every run of whitespace inside it written as one space.
    private static func writeTrimmed(_ value: String, to output: inout ByteWriter) {
        Self.withUTF8(value) { bytes in
            guard let base = bytes.baseAddress else { return }
            let count = bytes.count
            // The common case, a value with no byte at or below the space: one copy, checked eight bytes at a time.
            if !containsControlOrSpace(base, count: count) {
                output.write(bytes)
                return
            }
            var index = 0
            var first = true
            while index < count {
                while index < count, isWhitespace(bytes[index]) { index += 1 }
                if index == count { break }
                let runStart = index
                while index < count, !isWhitespace(bytes[index]) { index += 1 }
                if !first { output.write(UInt8(ascii: " ")) }
                output.write(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                first = false
            }
        }
    }

    /// Whether any of the `count` bytes at `base` is at or below `0x20` (space, tab, CR, LF and other controls).
    private static func containsControlOrSpace(_ base: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        let raw = UnsafeRawPointer(base)
        let high: UInt64 = 0x8080_8080_8080_8080
        let limit: UInt64 = 0x2121_2121_2121_2121
        // Thirty-two bytes per test for long values (a session token).
        while index + 32 <= count {
            let a = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let b = raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
            let c = raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
            let d = raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
            if ((a &- limit) & ~a | (b &- limit) & ~b | (c &- limit) & ~c | (d &- limit) & ~d) & high != 0 { return true }
            index += 32
        }
        // A byte < 0x21 sets its high bit in (word - 0x21…) & ~word (bytes here are < 0x80 or not whitespace).
        func hasControl(_ word: UInt64) -> Bool { (word &- 0x2121_2121_2121_2121) & ~word & 0x8080_8080_8080_8080 != 0 }
        while index + 8 <= count {
            if hasControl(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { return true }
            index += 8
        }
        if index < count && count >= 8 {  // the last eight bytes, overlapping those tested
            return hasControl(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        }
        while index < count {
            if base[index] <= 0x20 { return true }
            index += 1
        }
        return false
    }
}
