import Foundation

/// How a video is processed: a named preset's settings and the caller's own, validated at upload, stored on the
/// record and carried in its queue message. A `nil` field means the consumer's default.
///
/// ```json
/// {"renditions": [1080, 720], "codec": "h264", "quality": 23, "segmentDuration": 4, "thumbnailCount": 10,
///  "audioBitRate": 128000, "language": "en"}
/// ```
public struct ProcessingOptions: Codable, Sendable, Equatable {
    /// The rendition heights (the short side for portrait video), 144…2160, at most 8, largest first after
    /// validation; only those at or below the source's are made.
    public var renditions: [Int]?
    /// The video codec.
    public var codec: VideoCodec?
    /// The constant rate factor (lower is better): 0…51 for H.264 and HEVC, 0…63 for AV1.
    public var quality: Int?
    /// The target HLS segment duration in seconds, 1…30.
    public var segmentDuration: Double?
    /// How many evenly spaced thumbnails, 1…100.
    public var thumbnailCount: Int?
    /// One thumbnail every this many seconds (0.5…3600) instead of a count: as many as fit, at most 100.
    public var thumbnailInterval: Double?
    /// The AAC bit rate in bits per second, 32 000…512 000.
    public var audioBitRate: Int?
    /// The spoken language for `transcribe` (ISO 639-1, two lowercase letters); absent: detected.
    public var language: String?

    public init(
        renditions: [Int]? = nil, codec: VideoCodec? = nil, quality: Int? = nil, segmentDuration: Double? = nil,
        thumbnailCount: Int? = nil, thumbnailInterval: Double? = nil, audioBitRate: Int? = nil, language: String? = nil
    ) {
        self.renditions = renditions
        self.codec = codec
        self.quality = quality
        self.segmentDuration = segmentDuration
        self.thumbnailCount = thumbnailCount
        self.thumbnailInterval = thumbnailInterval
        self.audioBitRate = audioBitRate
        self.language = language
    }

    /// Whether no field is set.
    public var isEmpty: Bool { self == ProcessingOptions() }

    /// These options with every field `other` sets taking its place (a caller's options over a preset's).
    public func overridden(by other: ProcessingOptions) -> ProcessingOptions {
        ProcessingOptions(
            renditions: other.renditions ?? renditions, codec: other.codec ?? codec, quality: other.quality ?? quality,
            segmentDuration: other.segmentDuration ?? segmentDuration,
            thumbnailCount: other.thumbnailCount ?? (other.thumbnailInterval == nil ? thumbnailCount : nil),
            thumbnailInterval: other.thumbnailInterval ?? (other.thumbnailCount == nil ? thumbnailInterval : nil),
            audioBitRate: other.audioBitRate ?? audioBitRate, language: other.language ?? language)
    }

    /// One thing wrong with the options: the field's path (`options.renditions[1]`) and why.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The JSON path of the field, under `root`.
        public var field: String
        /// What is wrong.
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }

        public var description: String { "\(field): \(message)" }
    }

    /// The most renditions one video may ask for.
    public static let maximumRenditions = 8

    /// Checks every field; `codecs` are the codecs the encoders can make. Returns the options normalised
    /// (renditions sorted, largest first) or throws the first problem, its path under `root`.
    public func validated(codecs: Set<VideoCodec>, root: String = "options") throws(Problem) -> ProcessingOptions {
        var result = self
        if let renditions {
            guard !renditions.isEmpty, renditions.count <= Self.maximumRenditions else {
                throw Problem(field: "\(root).renditions", message: "must list 1 to \(Self.maximumRenditions) heights")
            }
            for (index, height) in renditions.enumerated() where !(144...2160).contains(height) {
                throw Problem(field: "\(root).renditions[\(index)]", message: "must be a height from 144 to 2160, not \(height)")
            }
            guard Set(renditions).count == renditions.count else {
                throw Problem(field: "\(root).renditions", message: "lists a height twice")
            }
            result.renditions = renditions.sorted(by: >)
        }
        let codec = self.codec ?? .h264
        if self.codec != nil, !codecs.contains(codec) {
            throw Problem(
                field: "\(root).codec",
                message: "\(codec.rawValue) is not available here (available: \(codecs.sorted().map(\.rawValue).joined(separator: ", ")))")
        }
        if let quality, !(0...codec.maximumQuality).contains(quality) {
            throw Problem(field: "\(root).quality", message: "must be from 0 to \(codec.maximumQuality) for \(codec.rawValue), not \(quality)")
        }
        if let segmentDuration, !(segmentDuration.isFinite && (1...30).contains(segmentDuration)) {
            throw Problem(field: "\(root).segmentDuration", message: "must be from 1 to 30 seconds")
        }
        if let thumbnailCount, !(1...100).contains(thumbnailCount) {
            throw Problem(field: "\(root).thumbnailCount", message: "must be from 1 to 100, not \(thumbnailCount)")
        }
        if let thumbnailInterval, !(thumbnailInterval.isFinite && (0.5...3600).contains(thumbnailInterval)) {
            throw Problem(field: "\(root).thumbnailInterval", message: "must be from 0.5 to 3600 seconds")
        }
        if thumbnailCount != nil, thumbnailInterval != nil {
            throw Problem(field: "\(root).thumbnailInterval", message: "give thumbnailCount or thumbnailInterval, not both")
        }
        if let audioBitRate, !(32_000...512_000).contains(audioBitRate) {
            throw Problem(field: "\(root).audioBitRate", message: "must be from 32000 to 512000 bits per second, not \(audioBitRate)")
        }
        if let language, !(language.count == 2 && language.allSatisfy({ $0 >= "a" && $0 <= "z" })) {
            throw Problem(field: "\(root).language", message: "must be an ISO 639-1 code (two lowercase letters)")
        }
        return result
    }

    /// Decodes options from JSON, refusing unknown fields (a misspelt option must not be ignored) and
    /// reporting a wrong type with its path.
    public static func decode(_ data: Data, root: String = "options") throws(Problem) -> ProcessingOptions {
        guard data.count <= 4096 else { throw Problem(field: root, message: "must be at most 4096 bytes of JSON") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw Problem(field: root, message: "is not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw Problem(field: root, message: "must be a JSON object") }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw Problem(field: "\(root).\(unknown)", message: "is not an option (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let null = fields.keys.sorted().first(where: { fields[$0] is NSNull }) {
            throw Problem(field: "\(root).\(null)", message: "must not be null (leave it out for the default)")
        }
        do {
            return try JSONDecoder().decode(ProcessingOptions.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let field = path(root, context.codingPath)
            if field == "\(root).codec" {
                throw Problem(field: field, message: "must be one of \(VideoCodec.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            throw Problem(field: field, message: "has the wrong type or value")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Problem(field: path(root, context.codingPath), message: "must not be null")
        } catch {
            throw Problem(field: root, message: "cannot be read: \(error)")
        }
    }

    private static func path(_ root: String, _ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(root) { path, key in
            if let index = key.intValue { return "\(path)[\(index)]" }
            return "\(path).\(key.stringValue)"
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case renditions, codec, quality, segmentDuration, thumbnailCount, thumbnailInterval, audioBitRate, language
    }
}
