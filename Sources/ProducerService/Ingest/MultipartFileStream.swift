import Foundation
import MultipartKit
import NIOCore

/// The file part of a `multipart/form-data` body as a byte stream, parsed as the body arrives (nothing is
/// buffered beyond one network read). Text fields before and after the file are collected in ``fields``;
/// the first part with a `filename` is the file.
struct MultipartFileStream<Base: AsyncSequence>: AsyncSequence where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    /// Parser state shared between the parser's callbacks and the iterator (one task uses it at a time).
    final class State: @unchecked Sendable {
        var fields: [String: String] = [:]
        var filename: String?
        var fileContentType: String?
        var fileChunks: [ByteBuffer] = []
        var fileStarted = false
        var fileDone = false
        var currentHeaders: [String: String] = [:]
        var currentIsFile = false
        var partDecided = false
        var currentField = ""
        var fieldBytes = 0
    }

    let base: Base
    let boundary: String
    let state = State()
    /// Text fields are small: at most this many bytes each.
    static var maximumFieldBytes: Int { 64 << 10 }

    var fields: [String: String] { state.fields }
    var filename: String? { state.filename }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let parser: MultipartParser
        let state: State
        var ended = false

        mutating func next() async throws -> ByteBuffer? {
            while true {
                if !state.fileChunks.isEmpty { return state.fileChunks.removeFirst() }
                if ended {
                    guard state.fileStarted else {
                        throw APIError.badRequest("the multipart body has no file part (a part with a filename)", code: "MissingFile")
                    }
                    return nil
                }
                guard let buffer = try await base.next() else {
                    ended = true
                    guard state.fileDone || !state.fileStarted else {
                        throw APIError.badRequest("the multipart body ended inside the file part", code: "MalformedMultipart")
                    }
                    continue
                }
                do {
                    try parser.execute(buffer)
                } catch {
                    throw APIError.badRequest("the multipart body is malformed: \(error)", code: "MalformedMultipart")
                }
                if state.fieldBytes > MultipartFileStream.maximumFieldBytes {
                    throw APIError.badRequest("a form field is larger than \(MultipartFileStream.maximumFieldBytes) bytes", code: "FieldTooLarge")
                }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        let parser = MultipartParser(boundary: boundary)
        let state = self.state
        parser.onHeader = { name, value in state.currentHeaders[name.lowercased()] = value }
        parser.onBody = { buffer in
            if !state.partDecided { Self.beginPart(state) }
            if state.currentIsFile {
                state.fileChunks.append(buffer)
            } else {
                state.fieldBytes += buffer.readableBytes
                if state.fieldBytes <= Self.maximumFieldBytes {
                    state.currentField += buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) ?? ""
                }
            }
        }
        parser.onPartComplete = {
            if !state.partDecided { Self.beginPart(state) }  // a part with an empty body
            if state.currentIsFile {
                state.fileDone = true
            } else if let name = Self.dispositionParameter("name", in: state.currentHeaders["content-disposition"] ?? "") {
                state.fields[name] = state.currentField
            }
            state.currentHeaders = [:]
            state.currentIsFile = false
            state.partDecided = false
            state.currentField = ""
            state.fieldBytes = 0
        }
        return AsyncIterator(base: base.makeAsyncIterator(), parser: parser, state: state)
    }

    /// Decides, at a part's first body bytes, whether it is the file.
    private static func beginPart(_ state: State) {
        state.partDecided = true
        let disposition = state.currentHeaders["content-disposition"] ?? ""
        if !state.fileStarted, let filename = dispositionParameter("filename", in: disposition) {
            state.currentIsFile = true
            state.fileStarted = true
            state.filename = filename
            state.fileContentType = state.currentHeaders["content-type"]
        }
    }

    /// A parameter of a `Content-Disposition` value, e.g. `name` in `form-data; name="title"`.
    static func dispositionParameter(_ parameter: String, in disposition: String) -> String? {
        for piece in disposition.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == parameter else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(of contentType: String) -> String? {
        for piece in contentType.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.utf8.count > 70 ? nil : value
        }
        return nil
    }
}
