/// Percent-encoding as SigV4 defines it: every byte is encoded as `%XY` (upper-case hex) except the
/// unreserved characters `A-Z a-z 0-9 - _ . ~` (and `/` in paths).
///
/// The encoder writes straight into room claimed for the worst case (three bytes per byte) and gives back what
/// it did not use: a store per raw byte, with no capacity check or copy call per run of raw bytes.
public enum URIEncoding {
    /// Bits 0…63 and 64…127 of the ASCII bytes that stay raw: `- . 0-9` and `A-Z _ a-z ~`.
    @inline(__always) private static var unreservedLow: UInt64 { 1 << 45 | 1 << 46 | 0x3FF << 48 }
    @inline(__always) private static var unreservedHigh: UInt64 { 0x3FF_FFFF << 1 | 1 << 31 | 0x3FF_FFFF << 33 | 1 << 62 }

    /// The bits of the bytes 0…63 that stay raw: ``unreservedLow``, plus `/` when `keepSlash` is set.
    @inline(__always)
    private static func rawLow(keepSlash: Bool) -> UInt64 {
        keepSlash ? unreservedLow | 1 << 47 : unreservedLow
    }

    /// Whether `byte` stays raw: unreserved, or `/` when `keepSlash` is set.
    @inline(__always)
    static func staysRaw(_ byte: UInt8, keepSlash: Bool) -> Bool {
        staysRaw(byte, low: rawLow(keepSlash: keepSlash))
    }

    /// Upper-case hex digit of `value` (0…15).
    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") - 10 + value
    }

    /// Writes the encoded form of `bytes`; `/` is kept raw when `keepSlash` is set.
    static func write(_ bytes: UnsafeBufferPointer<UInt8>, keepSlash: Bool, to output: inout some ByteSink) {
        // A short value that stays as it is (signed header names such as `host`) is copied without setting up the encoder.
        if bytes.count <= 16, bytes.allSatisfy({ staysRaw($0, keepSlash: keepSlash) }) {
            output.write(bytes)
            return
        }
        output.write(atMost: bytes.count * 3) { encode(bytes, keepSlash: keepSlash, recode: false, into: $0) }
    }

    /// Writes `bytes` with its percent-encoding made canonical, in one pass and without an intermediate
    /// buffer: the same bytes as encoding the result of ``decode(_:)``.
    static func writeRecoded(_ bytes: UnsafeBufferPointer<UInt8>, keepSlash: Bool, to output: inout some ByteSink) {
        // An S3 key encoded by a client (ours included) is usually canonical already: checked without writing, then copied.
        if isCanonical(bytes, keepSlash: keepSlash) {
            output.write(bytes)
            return
        }
        output.write(atMost: bytes.count * 3) { encode(bytes, keepSlash: keepSlash, recode: true, into: $0) }
    }

    /// Whether `bytes` is what ``writeRecoded(_:keepSlash:to:)`` would write for it: raw bytes that stay raw, and `%XY` (upper
    /// case) for every byte that does not.
    static func isCanonical(_ bytes: UnsafeBufferPointer<UInt8>, keepSlash: Bool) -> Bool {
        guard var source = bytes.baseAddress else { return true }
        let end = source + bytes.count
        let low = rawLow(keepSlash: keepSlash)
        while source < end {
            let byte = source.pointee
            source += 1
            if staysRaw(byte, low: low) { continue }
            guard byte == UInt8(ascii: "%"), end - source >= 2, let high = upperHexValue(source[0]), let lowDigit = upperHexValue(source[1]),
                !staysRaw(high << 4 | lowDigit, low: low)
            else { return false }
            source += 2
        }
        return true
    }

    /// Whether `byte` stays raw, with `low` the bits of bytes 0…63 that do (``unreservedLow``, plus `/` in paths).
    @inline(__always)
    private static func staysRaw(_ byte: UInt8, low: UInt64) -> Bool {
        let word = byte < 64 ? low : byte < 128 ? unreservedHigh : 0
        return word >> UInt64(byte & 63) & 1 != 0
    }

    /// The value of an upper-case hex digit.
    @inline(__always)
    private static func upperHexValue(_ byte: UInt8) -> UInt8? {
        if byte &- UInt8(ascii: "0") < 10 { return byte &- UInt8(ascii: "0") }
        if byte &- UInt8(ascii: "A") < 6 { return byte &- UInt8(ascii: "A") &+ 10 }
        return nil
    }

    /// Encodes `bytes` at `target`, which has room for three bytes per byte, and returns the number of bytes written. With
    /// `recode`, a valid `%XY` is decoded first (and written back as `%XY` in upper case unless its byte stays raw).
    ///
    /// One store per raw byte into memory known to be large enough: no capacity check and no copy call per run, which
    /// for a path of short segments cost more than the bytes.
    @inline(__always)
    private static func encode(_ bytes: UnsafeBufferPointer<UInt8>, keepSlash: Bool, recode: Bool, into target: UnsafeMutablePointer<UInt8>) -> Int {
        guard var source = bytes.baseAddress else { return 0 }
        let end = source + bytes.count
        // The bits of the bytes that stay raw, a word per 64 byte values: one load and one bit test per byte.
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4) { words in
            guard let raw = words.baseAddress else { return 0 }
            raw.initialize(to: rawLow(keepSlash: keepSlash))
            (raw + 1).initialize(to: unreservedHigh)
            (raw + 2).initialize(to: 0)
            (raw + 3).initialize(to: 0)
            func staysRaw(_ byte: UInt8) -> Bool { raw[Int(byte >> 6)] >> UInt64(byte & 63) & 1 != 0 }
            var output = target
            while source < end {
                var byte = source.pointee
                source += 1
                if staysRaw(byte) {
                    output.pointee = byte
                    output += 1
                    continue
                }
                if recode, byte == UInt8(ascii: "%"), end - source >= 2, let high = hexValue(source[0]), let lowDigit = hexValue(source[1]) {
                    byte = high << 4 | lowDigit
                    source += 2
                    if staysRaw(byte) {
                        output.pointee = byte
                        output += 1
                        continue
                    }
                }
                output[0] = UInt8(ascii: "%")
                output[1] = hexDigit(byte >> 4)
                output[2] = hexDigit(byte & 0x0F)
                output += 3
            }
            return output - target
        }
    }

    /// Appends the encoded form of the bytes of `bytes`.
    static func append(_ bytes: some Collection<UInt8>, keepSlash: Bool, to output: inout [UInt8]) {
        if bytes.withContiguousStorageIfAvailable({ write($0, keepSlash: keepSlash, to: &output) }) == nil {
            Array(bytes).withUnsafeBufferPointer { write($0, keepSlash: keepSlash, to: &output) }
        }
    }

    /// The encoded form of the UTF-8 bytes of `text`.
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        String(decoding: encodedBytes(text, keepSlash: keepSlash), as: UTF8.self)
    }

    /// The encoded UTF-8 bytes of `text`.
    static func encodedBytes(_ text: String, keepSlash: Bool = false) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 16)
        append(text.utf8, keepSlash: keepSlash, to: &output)
        return output
    }

    /// Whether `bytes` contains only unreserved characters, so that encoding would not change it.
    static func isUnreserved(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.allSatisfy { staysRaw($0, keepSlash: false) }
    }

    /// Decodes `%XY` sequences (either case). A `%` not followed by two hex digits stays as it is;
    /// `+` stays `+` (SigV4 does not treat it as a space).
    static func decode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        guard input.contains(UInt8(ascii: "%")) else { return input }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
