import NIOCore
import Testing

@testable import ProducerService

/// The multipart reader on its own: well-formed bodies however they are split, and every limit.
struct MultipartReaderTests {
    static let boundary = "----vqB0undary"

    static func body(
        fields: [(String, String)] = [("title", "Holiday")], file: [UInt8] = Array("\u{0}\u{0}\u{0}\u{18}ftypmp42 video".utf8),
        after: String = ""
    ) -> [UInt8] {
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"
        return Array(text.utf8) + file + Array("\r\n--\(boundary)--\r\n\(after)".utf8)
    }

    /// Feeds `bytes` in pieces of `sizes` (cycled) and returns the fields, the file's bytes and the first error.
    static func read(
        _ bytes: [UInt8], sizes: [Int] = [65_536], limits: MultipartLimits = MultipartLimits(),
        boundedBy bound: Int? = nil
    ) -> (fields: [String: String], file: [UInt8], error: MultipartError?) {
        var reader = MultipartReader(boundary: boundary, limits: limits)
        var fields: [String: String] = [:]
        var file: [UInt8] = []
        var offset = 0
        var index = 0
        do {
            while offset < bytes.count {
                let size = max(1, sizes[index % sizes.count])
                index += 1
                let end = min(bytes.count, offset + size)
                for event in try reader.feed(ByteBuffer(bytes: bytes[offset..<end])) {
                    switch event {
                    case .field(let name, let value): fields[name] = value
                    case .fileBytes(let buffer): file += buffer.readableBytesView
                    case .fileStarted, .fileEnded: break
                    }
                }
                if let bound { #expect(reader.bufferedBytes <= bound) }
                offset = end
            }
            try reader.finish()
        } catch {
            return (fields, file, error)
        }
        return (fields, file, nil)
    }

    @Test func aWellFormedBodyReadsTheSameHoweverItIsSplit() {
        // File bytes that look like the start of a boundary must come through untouched.
        let file = Array("\u{0}\u{0}\u{0}\u{18}ftypmp42\r\n--\r\n----vqB0und\r\n--\(Self.boundary.dropLast())\r".utf8) + (0..<3000).map { UInt8($0 % 251) }
        let bytes = Self.body(fields: [("title", "Holiday 🎥"), ("jobs", "thumbnails")], file: file)
        for sizes in [[1], [2], [3], [7], [70], [71], [72], [1000], [65_536], [1, 5, 300, 2, 17]] {
            let result = Self.read(bytes, sizes: sizes)
            #expect(result.error == nil, "pieces of \(sizes)")
            #expect(result.fields == ["title": "Holiday 🎥", "jobs": "thumbnails"], "pieces of \(sizes)")
            let same = result.file == file
            #expect(same, "pieces of \(sizes): \(result.file.count) of \(file.count) bytes")
        }
    }

    @Test func aBoundaryAtTheVeryStartOrAfterAPreambleAndPaddingIsAccepted() {
        var bytes = Array("a preamble\r\n".utf8) + Self.body()
        #expect(Self.read(bytes).error == nil)
        bytes = Self.body(after: "\r\n  \r\n")
        #expect(Self.read(bytes).error == nil)
    }

    @Test func aHeaderLineThatNeverEndsIsRefusedAfterTheLineLimitWithBoundedMemory() {
        let head = Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"".utf8)
        let endless = head + [UInt8](repeating: UInt8(ascii: "a"), count: 4 << 20)
        let limits = MultipartLimits()
        let result = Self.read(endless, sizes: [65_536, 1, 4096], boundedBy: limits.headerLineBytes + 65_536 + 2)
        #expect(result.error?.code == .headerTooLarge)
        // Byte by byte as well: still refused once the limit is crossed.
        #expect(Self.read(Array(endless.prefix(20_000)), sizes: [1]).error?.code == .headerTooLarge)
    }

    @Test func everyPartLimitHasItsOwnCode() {
        let tooManyHeaders =
            Array("--\(Self.boundary)\r\n".utf8)
            + Array((0..<17).map { "X-H\($0): v\r\n" }.joined().utf8) + Array("\r\nbody\r\n--\(Self.boundary)--\r\n".utf8)
        #expect(Self.read(tooManyHeaders).error?.code == .tooManyHeaders)

        let fields = (0..<33).map { ("f\($0)", "v") }
        #expect(Self.read(Self.body(fields: fields)).error?.code == .tooManyFields)
        #expect(Self.read(Self.body(fields: Array(fields.prefix(32)))).error == nil)

        let large = [("a", String(repeating: "x", count: 200_000)), ("b", String(repeating: "y", count: 100_000))]
        #expect(Self.read(Self.body(fields: large), boundedBy: (256 << 10) + (8 << 10) + 65_536 + 2).error?.code == .fieldsTooLarge)

        var limits = MultipartLimits()
        limits.fields = 2
        #expect(Self.read(Self.body(fields: [("a", "1"), ("b", "2"), ("c", "3")]), limits: limits).error?.code == .tooManyFields)
    }

    @Test func nothingButTheClosingBoundaryMayFollowTheFile() {
        let fieldAfter = Self.body().dropLast(4) + Array("\r\nContent-Disposition: form-data; name=\"jobs\"\r\n\r\nhls\r\n--\(Self.boundary)--\r\n".utf8)
        #expect(Self.read(Array(fieldAfter)).error?.code == .trailingContent)
        let secondFile =
            Self.body().dropLast(4)
            + Array("\r\nContent-Disposition: form-data; name=\"f2\"; filename=\"b.mp4\"\r\n\r\nxx\r\n--\(Self.boundary)--\r\n".utf8)
        #expect(Self.read(Array(secondFile)).error?.code == .trailingContent)
        #expect(Self.read(Self.body(after: "trailing garbage")).error?.code == .trailingContent)
        #expect(Self.read(Self.body(after: String(repeating: " ", count: 2000))).error?.code == .trailingContent)
    }

    @Test func malformedAndIncompleteBodiesAreClearErrors() {
        #expect(Self.read(Array(String(repeating: "no boundary here ", count: 1000).utf8)).error?.code == .malformed)
        #expect(Self.read(Array("--\(Self.boundary)\r\nno colon\r\n\r\nx\r\n--\(Self.boundary)--".utf8)).error?.code == .malformed)
        #expect(Self.read(Array("--\(Self.boundary)\r\nX-Y: z\r\n\r\nx\r\n--\(Self.boundary)--".utf8)).error?.code == .malformed)
        #expect(Self.read(Array("--\(Self.boundary)xyz\r\n".utf8)).error?.code == .malformed)
        #expect(Self.read(Self.body(fields: []).dropLast(30).map { $0 }).error?.code == .malformed)
        let noFile = Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nx\r\n--\(Self.boundary)--\r\n".utf8)
        #expect(Self.read(noFile).error?.code == .missingFile)
        #expect(Self.read([]).error?.code == .missingFile)
    }

    @Test func randomBytesNeverCrashTheReaderOrGrowItsMemory() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("\r\n-:;= \"aB0".utf8) + Array("--\(Self.boundary)".utf8)
        let limits = MultipartLimits()
        for _ in 0..<300 {
            let count = Int.random(in: 0...20_000, using: &generator)
            var bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            if Bool.random(using: &generator) { bytes = Self.body() + bytes }
            _ = Self.read(
                bytes, sizes: [Int.random(in: 1...5000, using: &generator)],
                boundedBy: limits.headerLineBytes + limits.fieldBytes + 5000 + 2)
        }
    }
}
