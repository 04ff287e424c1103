import Foundation

/// Captions as text files: WebVTT (browsers, HLS) and SubRip (players, FFmpeg's `mov_text` input), from a
/// ``Transcript``. Pure functions.
public enum CaptionFormat {
    /// The WebVTT document; `timestampMap` (an HLS `X-TIMESTAMP-MAP` value, e.g. `MPEGTS:126000,LOCAL:00:00:00.000`)
    /// aligns it with MPEG-TS segments.
    public static func webVTT(_ transcript: Transcript, timestampMap: String? = nil) -> String {
        var text = "WEBVTT\n"
        if let timestampMap { text += "X-TIMESTAMP-MAP=\(timestampMap)\n" }
        for (index, segment) in transcript.segments.enumerated() {
            text += "\n\(index + 1)\n\(timestamp(segment.start, separator: ".")) --> \(timestamp(segment.end, separator: "."))\n"
            text += cueText(segment.text, markup: .webVTT) + "\n"
        }
        return text
    }

    /// The SubRip (`.srt`) document.
    public static func subRip(_ transcript: Transcript) -> String {
        var text = ""
        for (index, segment) in transcript.segments.enumerated() {
            if index > 0 { text += "\n" }
            text += "\(index + 1)\n\(timestamp(segment.start, separator: ",")) --> \(timestamp(segment.end, separator: ","))\n"
            text += cueText(segment.text, markup: .subRip) + "\n"
        }
        return text
    }

    /// How a format reads markup in a cue.
    enum Markup {
        /// Character references (`&amp;`), tags in `<…>`.
        case webVTT
        /// Tags in `<…>`, no references.
        case subRip
    }

    /// `HH:MM:SS.mmm` (`,` before the milliseconds for SubRip).
    static func timestamp(_ seconds: Double, separator: String) -> String {
        let milliseconds = Int((max(0, seconds) * 1000).rounded())
        let (hours, rest) = milliseconds.quotientAndRemainder(dividingBy: 3_600_000)
        let (minutes, rest2) = rest.quotientAndRemainder(dividingBy: 60_000)
        let (secs, millis) = rest2.quotientAndRemainder(dividingBy: 1000)
        return String(format: "%02d:%02d:%02d%@%03d", hours, minutes, secs, separator, millis)
    }

    /// A cue's text on one line, with nothing a cue parser would read as markup or a cue boundary (`-->`, a tag):
    /// WebVTT gets `&`, `<` and `>` escaped; SubRip, which has no escapes, gets `<` and `>` as `‹` and `›`.
    static func cueText(_ text: String, markup: Markup) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        switch markup {
        case .webVTT:
            return line.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        case .subRip:
            return line.replacingOccurrences(of: "<", with: "‹").replacingOccurrences(of: ">", with: "›")
        }
    }

    /// ISO 639-2/B codes (what an MP4 track's language holds) of the ISO 639-1 codes Whisper reports; `und` for
    /// others.
    public static func iso639_2(_ code: String) -> String {
        let table = [
            "en": "eng", "de": "ger", "fr": "fre", "es": "spa", "it": "ita", "pt": "por", "nl": "dut", "ru": "rus",
            "zh": "chi", "ja": "jpn", "ko": "kor", "ar": "ara", "hi": "hin", "tr": "tur", "pl": "pol", "sv": "swe",
            "da": "dan", "no": "nor", "fi": "fin", "cs": "cze", "el": "gre", "he": "heb", "hu": "hun", "id": "ind",
            "ro": "rum", "uk": "ukr", "vi": "vie", "th": "tha", "ca": "cat", "ms": "may", "fa": "per", "bg": "bul",
        ]
        if code.count == 3 { return code }
        return table[code] ?? "und"
    }
}
