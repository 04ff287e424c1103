/// The video codec of the renditions a video asks for.
public enum VideoCodec: String, Codable, Sendable, CaseIterable, Comparable {
    /// H.264 (libx264): plays everywhere; HLS in MPEG-TS segments.
    case h264
    /// H.265 (libx265): about half the bit rate of H.264 at the same quality; HLS in fMP4 segments.
    case hevc
    /// AV1 (SVT-AV1): smaller again, slower to encode; HLS in fMP4 segments.
    case av1

    /// The FFmpeg encoder that makes it.
    public var encoder: String {
        switch self {
        case .h264: "libx264"
        case .hevc: "libx265"
        case .av1: "libsvtav1"
        }
    }

    /// The highest constant-rate-factor its encoder accepts (0 is the best quality).
    public var maximumQuality: Int {
        self == .av1 ? 63 : 51
    }

    public static func < (lhs: VideoCodec, rhs: VideoCodec) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

extension VideoCodec {
    /// The codecs whose encoder appears in `ffmpeg -encoders` output (lines like ` V....D libx264  …`).
    public static func available(inEncoderList text: String) -> Set<VideoCodec> {
        let names = Set(
            text.split(whereSeparator: \.isNewline).compactMap { line -> Substring? in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 2, fields[0].hasPrefix("V") else { return nil }
                return fields[1]
            })
        return Set(allCases.filter { names.contains(Substring($0.encoder)) })
    }

    /// A comma-separated list of codec names (`h264,hevc`); `nil` when it names one this build does not know.
    public static func list(_ text: String) -> Set<VideoCodec>? {
        var codecs = Set<VideoCodec>()
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            guard let codec = VideoCodec(rawValue: name) else { return nil }
            codecs.insert(codec)
        }
        return codecs.isEmpty ? nil : codecs
    }
}
