/// What a `multipart/form-data` upload may hold besides its file. Every byte of the body (headers, fields,
/// preamble) also counts toward ``ProducerConfiguration/maximumUploadBytes``.
///
/// | limit | default | error |
/// |---|---|---|
/// | ``headerLineBytes`` | 8 KiB | `header_too_large` |
/// | ``headersPerPart`` | 16 | `too_many_headers` |
/// | ``fields`` | 32 | `too_many_fields` |
/// | ``fieldBytes`` (all fields together) | 256 KiB | `fields_too_large` |
/// | ``preambleBytes`` (before the first boundary) | 8 KiB | `malformed_multipart` |
/// | ``epilogueBytes`` (white space after the closing boundary) | 1 KiB | `trailing_content` |
public struct MultipartLimits: Sendable, Equatable {
    /// The longest header line of a part, CRLF excluded.
    public var headerLineBytes: Int = 8 << 10
    /// The most header lines in one part.
    public var headersPerPart: Int = 16
    /// The most form fields (parts without a file name) in one body.
    public var fields: Int = 32
    /// The most bytes of all form fields' values together.
    public var fieldBytes: Int = 256 << 10
    /// The most bytes before the first boundary.
    public var preambleBytes: Int = 8 << 10
    /// The most bytes (white space only) after the closing boundary.
    public var epilogueBytes: Int = 1 << 10

    /// The defaults.
    public init() {}
}
