/// What a `multipart/form-data` upload may hold besides its file. Every byte of the body (headers, fields,
/// preamble) also counts toward ``ProducerConfiguration/maximumUploadBytes``.
///
/// | limit | default | error |
/// |---|---|---|
/// | ``headerLineBytes`` | 8 KiB | `HeaderTooLarge` |
/// | ``headersPerPart`` | 16 | `TooManyHeaders` |
/// | ``fields`` | 32 | `TooManyFields` |
/// | ``fieldBytes`` (all fields together) | 256 KiB | `FieldsTooLarge` |
/// | ``preambleBytes`` (before the first boundary) | 8 KiB | `MalformedMultipart` |
/// | ``epilogueBytes`` (white space after the closing boundary) | 1 KiB | `TrailingContent` |
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
