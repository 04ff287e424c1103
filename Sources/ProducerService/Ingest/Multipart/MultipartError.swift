/// Why a `multipart/form-data` body was refused; ``code`` is the API's error code.
struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code (the API's casing).
    struct Code: Sendable, Hashable, RawRepresentable {
        var rawValue: String

        /// The body does not follow RFC 7578 (no boundary, a header without a colon, a long preamble…).
        static let malformed = Code(rawValue: "MalformedMultipart")
        /// The body has no part with a file name.
        static let missingFile = Code(rawValue: "MissingFile")
        /// A part's header line is longer than ``MultipartLimits/headerLineBytes``.
        static let headerTooLarge = Code(rawValue: "HeaderTooLarge")
        /// A part has more than ``MultipartLimits/headersPerPart`` header lines.
        static let tooManyHeaders = Code(rawValue: "TooManyHeaders")
        /// The body has more than ``MultipartLimits/fields`` form fields.
        static let tooManyFields = Code(rawValue: "TooManyFields")
        /// The form fields hold more than ``MultipartLimits/fieldBytes`` bytes together.
        static let fieldsTooLarge = Code(rawValue: "FieldsTooLarge")
        /// Something other than the closing boundary follows the file part.
        static let trailingContent = Code(rawValue: "TrailingContent")
    }

    var code: Code
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { "\(code.rawValue): \(message)" }
}
