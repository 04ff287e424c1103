import Crypto

/// Lower-case hexadecimal encoding, as SigV4 writes hashes and signatures.
enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends the lower-case hex form of `bytes` to `output`.
    static func append(_ bytes: some Sequence<UInt8>, to output: inout [UInt8]) {
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
    }

    /// Appends the lower-case hex form of `digest` (64 characters).
    static func append(_ digest: SHA256.Digest, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { text in
            digest.withUnsafeBytes { bytes in
                digits.withUnsafeBufferPointer { digits in
                    for (index, byte) in bytes.enumerated() {
                        text[2 * index] = digits[Int(byte >> 4)]
                        text[2 * index + 1] = digits[Int(byte & 0x0F)]
                    }
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// The lower-case hex form of `bytes`.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        append(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}

extension SHA256.Digest {
    /// The digest in lower-case hex (64 characters).
    var hexString: String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        Hex.append(self, to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
