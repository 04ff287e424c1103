/// The canonical headers block and the signed header names of a request.
///
/// Names are lower-cased; values trimmed, with inner runs of whitespace (line folds included) collapsed to
/// one space; repeated names joined with `,` in request order; sorted by name. Names and values are written
/// into one temporary (stack) buffer and sorted by offsets, then copied straight into the canonical request,
/// so a request costs no allocation here.
enum CanonicalHeaders {
    /// Headers the signer leaves out of presigned requests: their values travel in the query instead.
    static let presignParameters = HeaderNameSet(["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"])
    /// The session token header, for ``SigV4Signer/SessionTokenPlacement/afterSigning``.
    static let sessionToken = HeaderNameSet(["x-amz-security-token"])
    /// No header.
    static let none = HeaderNameSet([String]())

    private struct Entry {
        var index: Int
        var nameStart: Int
        var nameEnd: Int
        var valueEnd: Int
    }

    /// Appends the canonical headers block (`name:value\n` per signed header), a blank line's `\n`, and the
    /// `;`-separated signed header names to `output`.
    ///
    /// - Returns: where the signed header names stand in `output`.
    static func append(request: SigV4Request, excluding excluded: HeaderNameSet, alsoExcluding extra: HeaderNameSet,
                       to output: inout [UInt8]) -> Range<Int> {
        let headers = request.headers
        var scratchSize = request.host.utf8.count + 4
        for (name, value) in headers { scratchSize += name.utf8.count + value.utf8.count }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scratchSize) { scratch in
            withUnsafeTemporaryAllocation(of: Entry.self, capacity: headers.count + 1) { entries in
                var used = 0
                var count = 0
                var hasHost = false
                for (name, value) in headers {
                    let nameStart = used
                    used = writeLowercased(name, to: scratch, at: used)
                    let nameBytes = UnsafeBufferPointer(rebasing: scratch[nameStart..<used])
                    if excluded.contains(nameBytes) || extra.contains(nameBytes) {
                        used = nameStart
                        continue
                    }
                    hasHost = hasHost || nameBytes.elementsEqual("host".utf8)
                    let nameEnd = used
                    used = writeTrimmed(value, to: scratch, at: used)
                    entries.initializeElement(at: count, to: Entry(index: count, nameStart: nameStart, nameEnd: nameEnd, valueEnd: used))
                    count += 1
                }
                if !hasHost {
                    let nameStart = used
                    for byte in "host".utf8 { scratch[used] = byte; used += 1 }
                    let nameEnd = used
                    used = writeTrimmed(request.host, to: scratch, at: used)
                    entries.initializeElement(at: count, to: Entry(index: count, nameStart: nameStart, nameEnd: nameEnd, valueEnd: used))
                    count += 1
                }
                let sorted = UnsafeMutableBufferPointer(rebasing: entries[0..<count])
                defer { sorted.deinitialize() }
                return emit(sorted, scratch: UnsafeBufferPointer(scratch), to: &output)
            }
        }
    }

    /// Sorts `entries` by name (equal names keep their request order) and writes the block and the names.
    private static func emit(_ entries: UnsafeMutableBufferPointer<Entry>, scratch: UnsafeBufferPointer<UInt8>,
                             to output: inout [UInt8]) -> Range<Int> {
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
            if let previous, name(previous).elementsEqual(name(entry)) {
                output[output.count - 1] = UInt8(ascii: ",")  // the "\n": the value continues
            } else {
                output.append(contentsOf: name(entry))
                output.append(UInt8(ascii: ":"))
            }
            output.append(contentsOf: value(entry))
            output.append(UInt8(ascii: "\n"))
            previous = entry
        }
        output.append(UInt8(ascii: "\n"))
        let signedStart = output.count
        previous = nil
        for entry in entries {
            if let previous {
                if name(previous).elementsEqual(name(entry)) { continue }
                output.append(UInt8(ascii: ";"))
            }
            output.append(contentsOf: name(entry))
            previous = entry
        }
        return signedStart..<output.count
    }

    /// Byte-wise comparison: negative, zero or positive.
    private static func compare(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(lhs.count, rhs.count)
        for index in 0..<common where lhs[index] != rhs[index] {
            return Int(lhs[index]) - Int(rhs[index])
        }
        return lhs.count - rhs.count
    }

    private static func writeLowercased(_ name: String, to output: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var index = start
        for byte in name.utf8 {
            output[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            index += 1
        }
        return index
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Writes `value` trimmed, with every run of whitespace inside it written as one space; returns the end.
    private static func writeTrimmed(_ value: String, to output: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var value = value
        return value.withUTF8 { bytes in
            guard let base = bytes.baseAddress, let target = output.baseAddress else { return start }
            let count = bytes.count
            // The common case, a value with no byte at or below the space: one copy, checked eight bytes at a time.
            if !containsControlOrSpace(base, count: count) {
                (target + start).update(from: base, count: count)
                return start + count
            }
            var written = start
            var index = 0
            var first = true
            while index < count {
                while index < count, isWhitespace(bytes[index]) { index += 1 }
                if index == count { break }
                let runStart = index
                while index < count, !isWhitespace(bytes[index]) { index += 1 }
                if !first {
                    output[written] = UInt8(ascii: " ")
                    written += 1
                }
                (target + written).update(from: base + runStart, count: index - runStart)
                written += index - runStart
                first = false
            }
            return written
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
