import Crypto

/// Lower-case hexadecimal encoding, as SigV4 writes hashes and signatures.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends the lower-case hex form of `bytes` to `output`.
    static func append(_ bytes: some Sequence<UInt8>, to output: inout [UInt8]) {
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
    }

    /// Writes the 64 lower-case hex characters of `digest` at the start of `text` (which holds at least 64 bytes).
    static func write(_ digest: SHA256.Digest, to text: UnsafeMutableBufferPointer<UInt8>) {
        digest.withUnsafeBytes { bytes in
            for index in 0..<min(bytes.count, 32) {
                let byte = bytes[index]
                let high = byte >> 4
                let low = byte & 0x0F
                // '0' + n for 0…9, 'a' + n - 10 for 10…15, without a table lookup.
                text[2 * index] = high &+ (high < 10 ? 0x30 : 0x57)
                text[2 * index + 1] = low &+ (low < 10 ? 0x30 : 0x57)
            }
        }
    }

    /// Appends the lower-case hex form of `digest` (64 characters).
    static func append(_ digest: SHA256.Digest, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { text in
            write(digest, to: text)
            output.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// The lower-case hex form of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        append(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}

extension SHA256.Digest {
    /// The digest in lower-case hex (64 characters), written straight into the string's storage.
    public var hexString: String {
        String(unsafeUninitializedCapacity: 64) { text in
            Hex.write(self, to: text)
            return 64
        }
    }
}
