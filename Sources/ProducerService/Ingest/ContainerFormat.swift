/// A video container recognised from a file's first bytes (its "magic"), never from a name or a header the
/// client chose.
public struct ContainerFormat: Sendable, Hashable {
    /// A short name, e.g. `mp4`.
    public var name: String
    /// The file extension we store the source with.
    public var fileExtension: String
    /// The content type we store it with.
    public var contentType: String

    public static let mp4 = ContainerFormat(name: "mp4", fileExtension: "mp4", contentType: "video/mp4")
    public static let quickTime = ContainerFormat(name: "mov", fileExtension: "mov", contentType: "video/quicktime")
    public static let matroska = ContainerFormat(name: "matroska", fileExtension: "mkv", contentType: "video/x-matroska")
    public static let webm = ContainerFormat(name: "webm", fileExtension: "webm", contentType: "video/webm")
    public static let avi = ContainerFormat(name: "avi", fileExtension: "avi", contentType: "video/x-msvideo")
    public static let mpegTS = ContainerFormat(name: "mpegts", fileExtension: "ts", contentType: "video/mp2t")
    public static let mpegPS = ContainerFormat(name: "mpeg", fileExtension: "mpg", contentType: "video/mpeg")
    public static let flv = ContainerFormat(name: "flv", fileExtension: "flv", contentType: "video/x-flv")

    /// How many leading bytes ``sniff(_:)`` wants (fewer are fine for a short file).
    public static let sniffLength = 564

    /// The container of a file starting with `bytes`, or `nil` when it is none we accept.
    public static func sniff(_ bytes: some Collection<UInt8>) -> ContainerFormat? {
        let b = Array(bytes.prefix(sniffLength))
        func ascii(_ offset: Int, _ text: String) -> Bool {
            let expected = Array(text.utf8)
            return b.count >= offset + expected.count && Array(b[offset..<(offset + expected.count)]) == expected
        }
        // ISO base media (MP4, MOV, 3GP): a box whose type is ftyp (or a QuickTime top-level atom) at offset 4.
        if ascii(4, "ftyp") {
            return ascii(8, "qt  ") ? .quickTime : .mp4
        }
        if ["moov", "mdat", "wide", "free", "skip", "pnot"].contains(where: { ascii(4, $0) }) { return .quickTime }
        // EBML header: Matroska or WebM (the DocType says which).
        if b.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) {
            return b.count >= 8 && containsASCII(b, "webm") ? .webm : .matroska
        }
        if ascii(0, "RIFF"), ascii(8, "AVI ") { return .avi }
        if ascii(0, "FLV"), b.count > 3, b[3] == 1 { return .flv }
        if b.starts(with: [0x00, 0x00, 0x01, 0xBA]) { return .mpegPS }
        // MPEG transport stream: the sync byte every 188 bytes (three packets, or as many as are there).
        if b.first == 0x47 {
            let packets = min(3, max(1, b.count / 188))
            if b.count >= 188, (0..<packets).allSatisfy({ b[$0 * 188] == 0x47 }) { return .mpegTS }
        }
        return nil
    }

    private static func containsASCII(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }
}
