/// Percent-encoding as SigV4 defines it: every byte is encoded as `%XY` (upper-case hex) except the
/// unreserved characters `A-Z a-z 0-9 - _ . ~` (and `/` in paths).
///
/// The loops scan for runs of bytes that stay as they are and copy each run at once, so a long value with
/// few reserved characters (a session token) costs a scan and a few copies, not an append per byte.
public enum URIEncoding {
    /// 0: encode; 1: unreserved; 2: `/` (raw only in paths).
    private static let classes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = 1 }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = 1 }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = 1 }
        for byte in "-_.~".utf8 { table[Int(byte)] = 1 }
        table[Int(UInt8(ascii: "/"))] = 2
        return table
    }()

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Appends the encoded form of `bytes`; `/` is kept raw when `keepSlash` is set.
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, keepSlash: Bool, to output: inout some ByteSink) {
        classes.withUnsafeBufferPointer { table in
            upperHex.withUnsafeBufferPointer { hex in
                var runStart = 0
                var index = 0
                let count = bytes.count
                while index < count {
                    let byteClass = table[Int(bytes[index])]
                    if byteClass == 1 || (byteClass == 2 && keepSlash) {
                        index += 1
                        continue
                    }
                    if runStart < index { output.write(UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                    let byte = bytes[index]
                    output.write(UInt8(ascii: "%"))
                    output.write(hex[Int(byte >> 4)])
                    output.write(hex[Int(byte & 0x0F)])
                    index += 1
                    runStart = index
                }
                if runStart < count { output.write(UnsafeBufferPointer(rebasing: bytes[runStart..<count])) }
            }
        }
    }

    /// Appends `bytes` with its percent-encoding made canonical, in one pass and without an intermediate
    /// buffer: the same bytes as encoding the result of ``decode(_:)``.
    static func appendRecoded(_ bytes: UnsafeBufferPointer<UInt8>, keepSlash: Bool, to output: inout some ByteSink) {
        classes.withUnsafeBufferPointer { table in
            upperHex.withUnsafeBufferPointer { hex in
                var index = 0
                let count = bytes.count
                while index < count {
                    var byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "%"), index + 1 < count,
                       let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) {
                        byte = high << 4 | low
                        index += 2
                    }
                    let byteClass = table[Int(byte)]
                    if byteClass == 1 || (byteClass == 2 && keepSlash) {
                        output.write(byte)
                    } else {
                        output.write(UInt8(ascii: "%"))
                        output.write(hex[Int(byte >> 4)])
                        output.write(hex[Int(byte & 0x0F)])
                    }
                }
            }
        }
    }

    /// Appends the encoded form of the bytes of `bytes`.
    static func append(_ bytes: some Collection<UInt8>, keepSlash: Bool, to output: inout [UInt8]) {
        if bytes.withContiguousStorageIfAvailable({ append($0, keepSlash: keepSlash, to: &output) }) == nil {
            Array(bytes).withUnsafeBufferPointer { append($0, keepSlash: keepSlash, to: &output) }
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
        classes.withUnsafeBufferPointer { table in bytes.allSatisfy { table[Int($0)] == 1 } }
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
               let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
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
