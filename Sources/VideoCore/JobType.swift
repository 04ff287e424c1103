import Foundation

/// A kind of output a video asks for (`transcode`, `hls`, …).
///
/// Open on purpose: a job type this build does not know still decodes, so the consumer can fail the video with
/// a clear "unknown job type" instead of a decoding error. ``isKnown`` tells the two apart.
public struct JobType: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The job type's name as sent on the wire (`"cut_analysis"`).
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// An H.264/AAC MP4 rendition.
    public static let transcode: JobType = "transcode"
    /// An HLS ladder (playlists and segments).
    public static let hls: JobType = "hls"
    /// Still images at intervals.
    public static let thumbnails: JobType = "thumbnails"
    /// Scene-cut detection.
    public static let cutAnalysis: JobType = "cut_analysis"
    /// The audio track alone.
    public static let audio: JobType = "audio"

    /// Speech to text: captions (WebVTT, SubRip) and a JSON transcript.
    public static let transcribe: JobType = "transcribe"

    /// Every job type this build can process, in the order the documentation lists them: the one list the
    /// producer validates against, the OpenAPI document enumerates and the consumer's handlers cover.
    public static let all: [JobType] = [.transcode, .hls, .thumbnails, .cutAnalysis, .audio, .transcribe]

    /// ``all`` as a set.
    public static let known: Set<JobType> = Set(all)

    /// Whether this build can process the job type.
    public var isKnown: Bool { Self.known.contains(self) }

    /// The job types of a comma-separated list (`"transcode, hls"`): names trimmed, empty ones and repeats
    /// dropped, order kept. `unknown` is the first name this build does not know, if any.
    public static func list(from text: String) -> (jobs: [JobType], unknown: String?) {
        var jobs: [JobType] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            let job = JobType(rawValue: name)
            guard job.isKnown else { return (jobs, name) }
            if !jobs.contains(job) { jobs.append(job) }
        }
        return (jobs, nil)
    }

    /// The names this build knows, sorted and comma-separated (for error messages).
    public static var knownNames: String { known.map(\.rawValue).sorted().joined(separator: ", ") }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
