/// The canonical headers block and the signed header names of a request.
///
/// Names are lower-cased; values trimmed, with inner runs of whitespace (line folds included) collapsed to
/// one space; repeated names joined with `,` in request order; sorted by name. Everything is written into
/// one scratch buffer and sorted by offsets, so a request costs a handful of allocations, not several per header.
struct CanonicalHeaders: Sendable {
    /// `name:value\n` per signed header.
    let block: [UInt8]
    /// The names, `;`-separated.
    let signedHeaders: [UInt8]

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

    init(request: SigV4Request, excluding excluded: HeaderNameSet, alsoExcluding extra: HeaderNameSet = CanonicalHeaders.none) {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(request.headers.reduce(request.host.utf8.count + 8) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        var entries: [Entry] = []
        entries.reserveCapacity(request.headers.count + 1)
        var hasHost = false
        for (name, value) in request.headers {
            let nameStart = scratch.count
            Self.appendLowercased(name, to: &scratch)
            let nameEnd = scratch.count
            let (skip, isHost) = scratch.withUnsafeBufferPointer { buffer in
                let name = UnsafeBufferPointer(rebasing: buffer[nameStart..<nameEnd])
                return (excluded.contains(name) || extra.contains(name), name.elementsEqual("host".utf8))
            }
            if skip {
                scratch.removeLast(nameEnd - nameStart)
                continue
            }
            hasHost = hasHost || isHost
            Self.appendTrimmed(value, to: &scratch)
            entries.append(Entry(index: entries.count, nameStart: nameStart, nameEnd: nameEnd, valueEnd: scratch.count))
        }
        if !hasHost {
            let nameStart = scratch.count
            scratch.append(contentsOf: "host".utf8)
            let nameEnd = scratch.count
            Self.appendTrimmed(request.host, to: &scratch)
            entries.append(Entry(index: entries.count, nameStart: nameStart, nameEnd: nameEnd, valueEnd: scratch.count))
        }

        var block: [UInt8] = []
        block.reserveCapacity(scratch.count + entries.count * 2)
        var signedHeaders: [UInt8] = []
        signedHeaders.reserveCapacity(entries.count * 16)
        scratch.withUnsafeBufferPointer { buffer in
            func name(_ entry: Entry) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[entry.nameStart..<entry.nameEnd]) }
            func value(_ entry: Entry) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[entry.nameEnd..<entry.valueEnd]) }
            // Sorted by name; equal names keep their request order.
            entries.sort { lhs, rhs in
                let left = name(lhs), right = name(rhs)
                return left.elementsEqual(right) ? lhs.index < rhs.index : left.lexicographicallyPrecedes(right)
            }
            var previous: Entry?
            for entry in entries {
                if let previous, name(previous).elementsEqual(name(entry)) {
                    block.removeLast()  // the "\n": the value continues
                    block.append(UInt8(ascii: ","))
                } else {
                    if previous != nil { signedHeaders.append(UInt8(ascii: ";")) }
                    signedHeaders.append(contentsOf: name(entry))
                    block.append(contentsOf: name(entry))
                    block.append(UInt8(ascii: ":"))
                }
                block.append(contentsOf: value(entry))
                block.append(UInt8(ascii: "\n"))
                previous = entry
            }
        }
        self.block = block
        self.signedHeaders = signedHeaders
    }

    private static func appendLowercased(_ name: String, to output: inout [UInt8]) {
        for byte in name.utf8 {
            output.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Appends `value` trimmed, with every run of whitespace inside it written as one space.
    private static func appendTrimmed(_ value: String, to output: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            var index = 0
            var first = true
            let count = bytes.count
            while index < count {
                while index < count, isWhitespace(bytes[index]) { index += 1 }
                if index == count { break }
                let start = index
                while index < count, !isWhitespace(bytes[index]) { index += 1 }
                if !first { output.append(UInt8(ascii: " ")) }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                first = false
            }
        }
    }
}
