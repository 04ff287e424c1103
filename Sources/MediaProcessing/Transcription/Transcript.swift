import Foundation

/// What speech recognition found in a source's audio: timed segments of text and the language.
public struct Transcript: Sendable, Equatable, Codable {
    /// One stretch of speech.
    public struct Segment: Sendable, Equatable, Codable {
        /// Its start, in seconds from the start of the audio.
        public var start: Double
        /// Its end, in seconds (≥ ``start``).
        public var end: Double
        /// What was said.
        public var text: String

        public init(start: Double, end: Double, text: String) {
            self.start = start
            self.end = end
            self.text = text
        }
    }

    /// The spoken language (ISO 639-1, e.g. `en`), detected or as asked.
    public var language: String
    /// How sure the detection was (0…1); 1 when the language was given.
    public var languageProbability: Double
    /// The audio's duration in seconds.
    public var duration: Double
    /// The segments, in time order.
    public var segments: [Segment]

    public init(language: String, languageProbability: Double, duration: Double, segments: [Segment]) {
        self.language = language
        self.languageProbability = languageProbability
        self.duration = duration
        self.segments = segments
    }

    enum CodingKeys: String, CodingKey {
        case language
        case languageProbability = "language_probability"
        case duration, segments
    }

    /// The most text one transcript may hold (a recogniser that loops cannot make an unbounded output).
    static let maximumTextBytes = 4 << 20

    /// The transcript the recogniser wrote, checked: a language code of 2–3 lowercase letters, finite times inside
    /// the audio (clamped to it), segments in order with their text on one line, at most ``maximumTextBytes`` of text.
    /// - Throws: `MediaError.Code.transcriptionFailed` for anything else.
    static func decode(_ data: Data) throws(MediaError) -> Transcript {
        let raw: Transcript
        do {
            raw = try JSONDecoder().decode(Transcript.self, from: data)
        } catch {
            throw MediaError(code: .transcriptionFailed, message: "the recogniser wrote an unreadable transcript: \(error)")
        }
        let language = raw.language.lowercased()
        guard (2...3).contains(language.count), language.allSatisfy({ $0 >= "a" && $0 <= "z" }) else {
            throw MediaError(code: .transcriptionFailed, message: "the recogniser reported no valid language (\(raw.language.prefix(16)))")
        }
        guard raw.duration.isFinite, raw.duration >= 0 else {
            throw MediaError(code: .transcriptionFailed, message: "the recogniser reported a duration of \(raw.duration)")
        }
        var segments: [Segment] = []
        var bytes = 0
        var previousStart = 0.0
        for segment in raw.segments {
            guard segment.start.isFinite, segment.end.isFinite else {
                throw MediaError(code: .transcriptionFailed, message: "a segment has a time that is not a number")
            }
            let start = min(raw.duration, max(previousStart, segment.start))
            let end = min(raw.duration, max(start, segment.end))
            let text = segment.text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            bytes += text.utf8.count
            guard bytes <= maximumTextBytes else {
                throw MediaError(code: .transcriptionFailed, message: "the transcript is longer than \(maximumTextBytes >> 20) MiB of text")
            }
            segments.append(Segment(start: start, end: end, text: text))
            previousStart = start
        }
        let probability = raw.languageProbability.isFinite ? min(1, max(0, raw.languageProbability)) : 0
        return Transcript(language: language, languageProbability: probability, duration: raw.duration, segments: segments)
    }
}
