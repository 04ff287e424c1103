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

    private struct Entry {
        var nameStart: Int
        var nameEnd: Int
        var valueEnd: Int
    }

    /// How much room ``write(request:excluding:alsoExcluding:sizes:to:)`` needs.
    struct Sizes {
        /// Bytes of all names and values, and of `host` and its value.
        fileprivate(set) var scratch: Int
        /// Headers, plus one for `host`.
        fileprivate(set) var entries: Int
        /// An upper bound of the bytes written: block, blank line, names.
        var output: Int { 2 * scratch + 3 * entries + 2 }

        init(_ request: borrowing SigV4Request) {
            var size = 0
            for (name, value) in request.headers { size += name.utf8.count + value.utf8.count }
            self.init(host: request.host, headerCount: request.headers.count, headerSize: size)
        }

        /// The sizes of a request to `host` with `headerCount` headers of `headerSize` bytes (names and values).
        init(host: String, headerCount: Int, headerSize: Int) {
            scratch = host.utf8.count + 4 + headerSize
            entries = headerCount + 1
        }
    }

    /// Writes the canonical headers block, the blank line's `\n`, and the signed header names, in at most
    /// `sizes.output` bytes.
    ///
    /// - Returns: where the signed header names stand in `output`.
    static func write(request: borrowing SigV4Request, excluding excluded: HeaderNameSet, alsoExcluding extra: HeaderNameSet,
                      sizes: Sizes, to output: inout ByteWriter) -> Range<Int> {
        write(headers: request.headers.lazy.map { ($0.name, $0.value) }, host: request.host, excluding: excluded, alsoExcluding: extra, sizes: sizes, to: &output)
    }

    /// Writes the canonical block of `headers` (and `Host: host` unless there), the blank line's `\n`, and the
    /// signed header names, in at most `sizes.output` bytes.
    ///
    /// - Returns: where the signed header names stand in `output`.
    static func write(headers: some Sequence<(String, String)>, host: String, excluding excluded: HeaderNameSet,
                      alsoExcluding extra: HeaderNameSet, sizes: Sizes, to output: inout ByteWriter) -> Range<Int> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: sizes.scratch) { scratch in
            withUnsafeTemporaryAllocation(of: Entry.self, capacity: sizes.entries) { entries in
                var names = ByteWriter(scratch)
                var count = 0
                var hasHost = false
                for (name, value) in headers {
                    let nameStart = names.count
                    writeLowercased(name, to: &names)
                    let nameBytes = names.bytes(nameStart..<names.count)
                    if excluded.contains(nameBytes) || extra.contains(nameBytes) {
                        names.truncate(to: nameStart)
                        continue
                    }
                    hasHost = hasHost || (nameBytes.count == 4 && nameBytes.elementsEqual("host".utf8))
                    let nameEnd = names.count
                    writeTrimmed(value, to: &names)
                    entries.initializeElement(at: count, to: Entry(nameStart: nameStart, nameEnd: nameEnd, valueEnd: names.count))
                    count += 1
                }
                if !hasHost {
                    let nameStart = names.count
                    names.write("host" as StaticString)
                    let nameEnd = names.count
                    writeTrimmed(host, to: &names)
                    entries.initializeElement(at: count, to: Entry(nameStart: nameStart, nameEnd: nameEnd, valueEnd: names.count))
                    count += 1
                }
                let sorted = UnsafeMutableBufferPointer(rebasing: entries[0..<count])
                defer { sorted.deinitialize() }
                return emit(sorted, scratch: names.written, to: &output)
            }
        }
    }

    /// Sorts `entries` by name (equal names keep their request order) and writes the block and the names.
    private static func emit(_ entries: UnsafeMutableBufferPointer<Entry>, scratch: UnsafeBufferPointer<UInt8>,
                             to output: inout ByteWriter) -> Range<Int> {
        func name(_ entry: Entry) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: scratch[entry.nameStart..<entry.nameEnd]) }
        func value(_ entry: Entry) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: scratch[entry.nameEnd..<entry.valueEnd]) }
        // Insertion sort: a request has a handful of headers.
        if entries.count > 1 {
            for position in 1..<entries.count {
                let entry = entries[position]
                var hole = position
                while hole > 0, compare(name(entries[hole - 1]), name(entry)) > 0 {
                    entries[hole] = entries[hole - 1]
                    hole -= 1
                }
                entries[hole] = entry
            }
        }
        var previous: Entry?
        for entry in entries {
            if let previous, equal(name(previous), name(entry)) {
                output.replace(at: output.count - 1, with: UInt8(ascii: ","))  // the "\n": the value continues
            } else {
                output.write(name(entry))
                output.write(UInt8(ascii: ":"))
            }
            output.write(value(entry))
            output.write(UInt8(ascii: "\n"))
            previous = entry
        }
        output.write(UInt8(ascii: "\n"))
        let signedStart = output.count
        previous = nil
        for entry in entries {
            if let previous {
                if equal(name(previous), name(entry)) { continue }
                output.write(UInt8(ascii: ";"))
            }
            output.write(name(entry))
            previous = entry
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

    private static func writeLowercased(_ name: String, to output: inout ByteWriter) {
        Self.withUTF8(name) { bytes in
            for byte in bytes {
                output.write(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
            }
        }
    }

    /// Calls `body` with the UTF-8 bytes of `text`, in place when they are contiguous (native strings), without
    /// the copy of the string that `String.withUTF8` needs.
    @inline(__always)
    private static func withUTF8(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        if text.utf8.withContiguousStorageIfAvailable(body) == nil {
            Array(text.utf8).withUnsafeBufferPointer(body)
        }
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
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // A byte < 0x21 sets its high bit in (word - 0x21…) & ~word (bytes here are < 0x80 or not whitespace).
            if (word &- 0x2121_2121_2121_2121) & ~word & 0x8080_8080_8080_8080 != 0 { return true }
            index += 8
        }
        while index < count {
            if base[index] <= 0x20 { return true }
            index += 1
        }
        return false
    }
}
