import Foundation

/// Rewrites the URIs of an HLS playlist (master or media), without I/O: every URI line, and the `URI="…"`
/// attribute of tags (`#EXT-X-MAP`, `#EXT-X-MEDIA`, `#EXT-X-I-FRAME-STREAM-INF`, `#EXT-X-KEY`), goes through
/// `transform`; a URI it returns `nil` for is left out with its line (a playlist served by us never names an object
/// it cannot sign). Comments and other tags are kept as they are.
enum PlaylistRewriter {
    static func rewrite(_ playlist: String, _ transform: (String) -> String?) -> String {
        var lines: [String] = []
        for line in playlist.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let text = String(line)
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                lines.append(text)
            } else if trimmed.hasPrefix("#") {
                guard let rewritten = rewriteAttribute(trimmed, transform) else { continue }
                lines.append(rewritten)
            } else if let uri = transform(trimmed) {
                lines.append(uri)
            } else if lines.last?.hasPrefix("#EXTINF") == true || lines.last?.hasPrefix("#EXT-X-STREAM-INF") == true {
                lines.removeLast()  // the tag that described the dropped URI goes with it
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A tag with `URI="…"`: the attribute rewritten, or `nil` when the URI is dropped.
    private static func rewriteAttribute(_ tag: String, _ transform: (String) -> String?) -> String? {
        guard let start = tag.range(of: "URI=\""), let end = tag[start.upperBound...].firstIndex(of: "\"") else { return tag }
        guard let uri = transform(String(tag[start.upperBound..<end])) else { return nil }
        return String(tag[..<start.upperBound]) + uri + String(tag[end...])
    }
}
