import NIOCore

/// The file part of a `multipart/form-data` body as a byte stream, read as the body arrives by a
/// ``MultipartReader`` (nothing is buffered beyond one network read and the reader's bounded state). The form
/// fields before the file are collected in ``fields``; every limit violation is an ``APIError`` with the reader's
/// code.
struct MultipartFileStream<Base: AsyncSequence>: AsyncSequence where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    /// What the reader found besides the file's bytes (one task reads the stream at a time).
    final class Form: @unchecked Sendable {
        var fields: [String: String] = [:]
        var filename: String?
        var fileContentType: String?
    }

    let base: Base
    let boundary: String
    let limits: MultipartLimits
    let form = Form()

    init(base: Base, boundary: String, limits: MultipartLimits = MultipartLimits()) {
        self.base = base
        self.boundary = boundary
        self.limits = limits
    }

    /// The form fields (those before the file part; none may follow it).
    var fields: [String: String] { form.fields }
    /// The file part's file name.
    var filename: String? { form.filename }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var reader: MultipartReader
        let form: Form
        var chunks: [ByteBuffer] = []
        var ended = false

        mutating func next() async throws -> ByteBuffer? {
            while true {
                if !chunks.isEmpty { return chunks.removeFirst() }
                if ended { return nil }
                do {
                    guard let buffer = try await base.next() else {
                        try reader.finish()
                        ended = true
                        continue
                    }
                    for event in try reader.feed(buffer) {
                        switch event {
                        case .field(let name, let value): form.fields[name] = value
                        case .fileStarted(let filename, let contentType):
                            form.filename = filename
                            form.fileContentType = contentType
                        case .fileBytes(let bytes): chunks.append(bytes)
                        case .fileEnded: break
                        }
                    }
                } catch let error as MultipartError {
                    throw APIError(.badRequest, code: error.code.rawValue, message: error.message)
                }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), reader: MultipartReader(boundary: boundary, limits: limits), form: form)
    }

    /// The boundary of a `multipart/form-data; boundary=…` content type (1 to 70 characters).
    static func boundary(of contentType: String) -> String? {
        guard let value = MultipartReader.parameter("boundary", in: contentType), !value.isEmpty, value.utf8.count <= 70 else { return nil }
        return value
    }
}
