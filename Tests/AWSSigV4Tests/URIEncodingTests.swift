import Testing

@testable import AWSSigV4

/// The encoder writes into room claimed for the worst case; these check it against a byte-by-byte reference on edge cases
/// and random input, for both sinks (a ``ByteWriter`` and a growing array).
@Suite struct URIEncodingTests {
    /// The reference: every byte but `A-Z a-z 0-9 - _ . ~` (and `/` when kept) as `%XY`.
    static func reference(_ bytes: [UInt8], keepSlash: Bool) -> [UInt8] {
        bytes.flatMap { byte -> [UInt8] in
            let raw =
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || [0x2D, 0x5F, 0x2E, 0x7E].contains(byte) || (keepSlash && byte == 0x2F)
            return raw ? [byte] : Array("%\(String(byte, radix: 16, uppercase: true).count == 1 ? "0" : "")\(String(byte, radix: 16, uppercase: true))".utf8)
        }
    }

    static func encoded(_ bytes: [UInt8], keepSlash: Bool, recoded: Bool) -> (writer: [UInt8], array: [UInt8]) {
        var array: [UInt8] = [0x21]  // something before: the encoder appends
        bytes.withUnsafeBufferPointer { input in
            if recoded { URIEncoding.writeRecoded(input, keepSlash: keepSlash, to: &array) } else { URIEncoding.write(input, keepSlash: keepSlash, to: &array) }
        }
        let writer = [UInt8](unsafeUninitializedCapacity: bytes.count * 3 + 1) { buffer, count in
            var output = ByteWriter(buffer)
            output.write(0x21)
            bytes.withUnsafeBufferPointer { input in
                if recoded {
                    URIEncoding.writeRecoded(input, keepSlash: keepSlash, to: &output)
                } else {
                    URIEncoding.write(input, keepSlash: keepSlash, to: &output)
                }
            }
            count = output.count
        }
        return (writer, array)
    }

    @Test(arguments: [
        "", "/", "a b", "%", "%4", "%41", "%zz%2f%2F", "/a//b/%7e~", "é/ü", "\u{0}\u{7F}\u{80}", "a%20b%", "%%41",
        "/videos/a%20b/%C3%A9.mp4", "%2F", "%7E", "%2f", "/a%3Ab%3a", "%00%FF",
    ])
    func encodingMatchesTheReference(text: String) {
        let bytes = Array(text.utf8)
        for keepSlash in [false, true] {
            let plain = Self.encoded(bytes, keepSlash: keepSlash, recoded: false)
            #expect(plain.writer == [0x21] + Self.reference(bytes, keepSlash: keepSlash))
            #expect(plain.array == plain.writer)
            let recoded = Self.encoded(bytes, keepSlash: keepSlash, recoded: true)
            #expect(recoded.writer == [0x21] + Self.reference(URIEncoding.decode(bytes), keepSlash: keepSlash), "\(text)")
            #expect(recoded.array == recoded.writer)
        }
    }

    @Test func aCanonicalPathIsRecodedAsItIs() {
        for keepSlash in [false, true] {
            for text in ["/videos/a%20b/%C3%A9.mp4", "abc", "%25%2B%3D"] {
                let bytes = Array(text.utf8)
                #expect(bytes.withUnsafeBufferPointer { URIEncoding.isCanonical($0, keepSlash: keepSlash) } == (keepSlash || !text.contains("/")))
                #expect(
                    Self.encoded(bytes, keepSlash: keepSlash, recoded: true).writer == [0x21] + Self.reference(URIEncoding.decode(bytes), keepSlash: keepSlash))
            }
            for text in ["%41", "%2f", "a b", "%", "%7E"] {
                #expect(!Array(text.utf8).withUnsafeBufferPointer { URIEncoding.isCanonical($0, keepSlash: keepSlash) }, "\(text)")
            }
        }
        #expect(Array("/a%20b/c".utf8).withUnsafeBufferPointer { URIEncoding.isCanonical($0, keepSlash: true) })
        #expect(!Array("/a%20b/c".utf8).withUnsafeBufferPointer { URIEncoding.isCanonical($0, keepSlash: false) })
    }

    @Test func randomBytesEncodeAndRecodeLikeTheReference() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("%%2%aZ09ABCDEFabcdef-_.~/ +=&?é".utf8) + [0, 0x7F, 0x80, 0xFF]
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator) ?? 0 : UInt8.random(in: 0...255, using: &generator)
            }
            for keepSlash in [false, true] {
                #expect(Self.encoded(bytes, keepSlash: keepSlash, recoded: false).writer == [0x21] + Self.reference(bytes, keepSlash: keepSlash))
                let recoded = Self.encoded(bytes, keepSlash: keepSlash, recoded: true)
                #expect(recoded.writer == [0x21] + Self.reference(URIEncoding.decode(bytes), keepSlash: keepSlash), "\(bytes)")
                #expect(recoded.array == recoded.writer)
            }
        }
    }
}
