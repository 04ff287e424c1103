/// Percent-encoding as SigV4 defines it: every byte is encoded as `%XY` (upper-case hex) except the
/// unreserved characters `A-Z a-z 0-9 - _ . ~` (and `/` in paths).
enum URIEncoding {
    private static let unreserved: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in "-_.~".utf8 { table[Int(byte)] = true }
        return table
    }()

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Appends the encoded form of `bytes`; `/` is kept raw when `keepSlash` is set.
    static func append(_ bytes: some Sequence<UInt8>, keepSlash: Bool, to output: inout [UInt8]) {
        for byte in bytes {
            if unreserved[Int(byte)] || (keepSlash && byte == UInt8(ascii: "/")) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(upperHex[Int(byte >> 4)])
                output.append(upperHex[Int(byte & 0x0F)])
            }
        }
    }

    /// The encoded form of the UTF-8 bytes of `text`.
    static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        append(text.utf8, keepSlash: keepSlash, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `bytes` contains only unreserved characters, so that encoding would not change it.
    static func isUnreserved(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.allSatisfy { unreserved[Int($0)] }
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
