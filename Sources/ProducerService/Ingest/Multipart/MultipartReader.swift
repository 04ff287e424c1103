import Foundation
import NIOCore

/// A `multipart/form-data` body (RFC 7578) read as it arrives, with every part bounded by ``MultipartLimits``:
/// a value whose ``feed(_:)`` takes the body's next bytes and returns what they completed (fields, the file's
/// start, its bytes, its end). It does no I/O; ``MultipartFileStream`` drives it.
///
/// What it accepts: form fields (parts without a file name) first, then exactly one file part (the first part
/// with a `filename`), then the closing boundary and at most ``MultipartLimits/epilogueBytes`` of white space.
/// Anything after the file part (another field, another file) is ``MultipartError/Code/trailingContent``.
/// Memory stays bounded whatever the input: it holds at most one header line, the fields' values, and the last
/// few bytes of the file that may begin a boundary.
struct MultipartReader {
    /// What the bytes fed completed, in order.
    enum Event: Equatable {
        /// A form field and its value (UTF-8; invalid sequences replaced).
        case field(name: String, value: String)
        /// The file part starts: its file name and `Content-Type`.
        case fileStarted(filename: String, contentType: String?)
        /// Some of the file's bytes.
        case fileBytes(ByteBuffer)
        /// The file part ended (its closing boundary was seen).
        case fileEnded
    }

    private enum State: Equatable {
        /// Before the first boundary.
        case preamble
        /// Right after a boundary: `--` (the end) or transport padding and CRLF (a part follows).
        case afterBoundary
        /// Reading a part's header lines.
        case headers
        /// Reading a part's body, up to the next boundary.
        case body
        /// After the closing boundary.
        case epilogue
    }

    private enum Part: Equatable {
        case file
        case field(name: String)
    }

    let limits: MultipartLimits
    /// `CRLF--boundary`: what ends every part's body.
    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes received and not consumed yet.
    private var pending: ByteBuffer
    /// How far `pending` was searched for a line end already (header lines arriving in small pieces).
    private var searched = 0
    private var skipped = 0
    private var headers: [(name: String, value: String)] = []
    private var part = Part.file
    private var fieldValue: [UInt8] = []
    private var fieldCount = 0
    private var fieldBytes = 0
    /// Whether the file part started, and whether it ended.
    private(set) var fileStarted = false
    private(set) var fileEnded = false
    /// The bytes held between feeds: at most a header line (plus CR), or a boundary's length, plus the fields.
    var bufferedBytes: Int { pending.readableBytes + fieldValue.count }

    init(boundary: String, limits: MultipartLimits = MultipartLimits()) {
        self.limits = limits
        delimiter = Array("\r\n--\(boundary)".utf8)
        // A boundary at the very start of the body has no CRLF before it: pretend there was one.
        pending = ByteBuffer(bytes: [0x0D, 0x0A])
    }

    /// Takes the body's next bytes and returns the events they complete.
    mutating func feed(_ bytes: ByteBuffer) throws(MultipartError) -> [Event] {
        if pending.readableBytes == 0 {
            pending = bytes
        } else {
            var bytes = bytes
            pending.writeBuffer(&bytes)
        }
        var events: [Event] = []
        var progressing = true
        while progressing {
            switch state {
            case .preamble: progressing = try readPreamble()
            case .afterBoundary: progressing = try readAfterBoundary()
            case .headers: progressing = try readHeaderLine(into: &events)
            case .body: progressing = try readBody(into: &events)
            case .epilogue: progressing = try readEpilogue()
            }
        }
        compact(sharedWithEvents: events.contains { if case .fileBytes = $0 { true } else { false } })
        return events
    }

    /// The body ended: throws unless it was complete (closing boundary seen, a file in it).
    func finish() throws(MultipartError) {
        switch state {
        case .epilogue:
            guard fileStarted else { throw MultipartError(.missingFile, "the multipart body has no file part (a part with a filename)") }
        case .body where part == .file:
            throw MultipartError(.malformed, "the multipart body ended inside the file part")
        default:
            guard fileStarted else { throw MultipartError(.missingFile, "the multipart body has no file part (a part with a filename)") }
            throw MultipartError(.malformed, "the multipart body ended before its closing boundary")
        }
    }

    // MARK: States

    private mutating func readPreamble() throws(MultipartError) -> Bool {
        if let at = pending.firstOffset(of: delimiter) {
            skipped += at
            pending.moveReaderIndex(forwardBy: at + delimiter.count)
            state = .afterBoundary
        } else {
            let discard = max(0, pending.readableBytes - (delimiter.count - 1))
            skipped += discard
            pending.moveReaderIndex(forwardBy: discard)
        }
        // The two bytes pretended at the start are not the client's.
        guard skipped <= limits.preambleBytes + 2 else {
            throw MultipartError(.malformed, "no boundary in the first \(limits.preambleBytes) bytes of the multipart body")
        }
        return state != .preamble
    }

    private mutating func readAfterBoundary() throws(MultipartError) -> Bool {
        guard pending.readableBytes >= 2 else { return false }
        if pending.getInteger(at: pending.readerIndex, as: UInt16.self) == 0x2D2D {  // "--"
            pending.moveReaderIndex(forwardBy: 2)
            state = .epilogue
            skipped = 0
            return true
        }
        guard let line = try readLine() else { return false }
        // Transport padding (RFC 2046): only spaces and tabs may stand between a boundary and its CRLF.
        guard line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else {
            throw MultipartError(.malformed, "a boundary is followed by something other than CRLF or --")
        }
        if fileEnded { throw MultipartError(.trailingContent, "nothing may follow the file part but the closing boundary") }
        headers = []
        state = .headers
        return true
    }

    private mutating func readHeaderLine(into events: inout [Event]) throws(MultipartError) -> Bool {
        guard let line = try readLine() else { return false }
        if line.isEmpty {
            try beginPart(into: &events)
            state = .body
            return true
        }
        guard headers.count < limits.headersPerPart else {
            throw MultipartError(.tooManyHeaders, "a part has more than \(limits.headersPerPart) header lines")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
            !line[..<colon].contains(where: { $0 <= 0x20 || $0 >= 0x7F })
        else {
            throw MultipartError(.malformed, "a part header is not 'Name: value'")
        }
        let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        headers.append((name, value))
        return true
    }

    private mutating func readBody(into events: inout [Event]) throws(MultipartError) -> Bool {
        let end = pending.firstOffset(of: delimiter)
        // Without a boundary, keep the bytes that may begin one.
        let length = end ?? max(0, pending.readableBytes - (delimiter.count - 1))
        if length > 0 {
            try consumeBody(length: length, into: &events)
        }
        guard end != nil else { return false }
        pending.moveReaderIndex(forwardBy: delimiter.count)
        endPart(into: &events)
        state = .afterBoundary
        return true
    }

    private mutating func readEpilogue() throws(MultipartError) -> Bool {
        let count = pending.readableBytes
        guard count > 0 else { return false }
        let whiteSpace = pending.readableBytesView.allSatisfy { $0 == 0x0D || $0 == 0x0A || $0 == 0x20 || $0 == 0x09 }
        skipped += count
        pending.moveReaderIndex(forwardBy: count)
        guard whiteSpace, skipped <= limits.epilogueBytes else {
            throw MultipartError(.trailingContent, "nothing may follow the closing boundary")
        }
        return false
    }

    // MARK: Parts

    private mutating func beginPart(into events: inout [Event]) throws(MultipartError) {
        let disposition = headers.last { $0.name == "content-disposition" }?.value ?? ""
        guard disposition.lowercased().hasPrefix("form-data") else {
            throw MultipartError(.malformed, "a part has no 'Content-Disposition: form-data' header")
        }
        if let filename = Self.parameter("filename", in: disposition) {
            guard !fileStarted else { throw MultipartError(.trailingContent, "a body may hold one file part only") }
            fileStarted = true
            part = .file
            events.append(.fileStarted(filename: filename, contentType: headers.last { $0.name == "content-type" }?.value))
        } else {
            fieldCount += 1
            guard fieldCount <= limits.fields else {
                throw MultipartError(.tooManyFields, "a body may hold at most \(limits.fields) form fields")
            }
            part = .field(name: Self.parameter("name", in: disposition) ?? "")
            fieldValue = []
        }
    }

    private mutating func consumeBody(length: Int, into events: inout [Event]) throws(MultipartError) {
        switch part {
        case .file:
            if let slice = pending.readSlice(length: length) { events.append(.fileBytes(slice)) }
        case .field:
            fieldBytes += length
            guard fieldBytes <= limits.fieldBytes else {
                throw MultipartError(.fieldsTooLarge, "the form fields hold more than \(limits.fieldBytes) bytes")
            }
            if let bytes = pending.readBytes(length: length) { fieldValue += bytes }
        }
    }

    private mutating func endPart(into events: inout [Event]) {
        switch part {
        case .file:
            fileEnded = true
            events.append(.fileEnded)
        case .field(let name):
            events.append(.field(name: name, value: String(decoding: fieldValue, as: UTF8.self)))
            fieldValue = []
        }
    }

    // MARK: Bytes

    /// The next CRLF-terminated line (without its CRLF), or `nil` until it has arrived whole; a line longer than
    /// ``MultipartLimits/headerLineBytes`` throws as soon as that many bytes have come without a line end.
    private mutating func readLine() throws(MultipartError) -> [UInt8]? {
        guard let end = pending.firstOffset(of: [0x0D, 0x0A], from: max(0, searched - 1)) else {
            searched = pending.readableBytes
            guard pending.readableBytes <= limits.headerLineBytes + 1 else {
                throw MultipartError(.headerTooLarge, "a part header line is longer than \(limits.headerLineBytes) bytes")
            }
            return nil
        }
        searched = 0
        guard end <= limits.headerLineBytes else {
            throw MultipartError(.headerTooLarge, "a part header line is longer than \(limits.headerLineBytes) bytes")
        }
        let line = pending.readBytes(length: end) ?? []
        pending.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// Drops the consumed bytes. When file bytes were handed out as slices of `pending`, the few bytes kept are
    /// copied into a new buffer, so the next write does not copy the slices' whole storage.
    private mutating func compact(sharedWithEvents: Bool) {
        if sharedWithEvents {
            pending = ByteBuffer(bytes: pending.readableBytesView)
        } else if pending.readerIndex > 0 {
            pending.discardReadBytes()
        }
    }

    /// A parameter of a `Content-Disposition` value, e.g. `name` in `form-data; name="title"`.
    static func parameter(_ parameter: String, in disposition: String) -> String? {
        for piece in disposition.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == parameter else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
