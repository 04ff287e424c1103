/// Takes the machine's file system paths out of text that reaches users (FFmpeg's stderr in a failed video's
/// `error.detail`, error messages): each absolute path, with or without a `file:` prefix, becomes its last
/// component (`file:/var/cache/videoqueue/consumer-1/5f…-1/source` → `source`), so scratch directories, user
/// names and the install layout are not disclosed.
public enum PathRedaction {
    /// `text` with every absolute path replaced by its last component.
    public static func redact(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let startsPath = character == "/" && (index == text.startIndex || Self.separates(text[text.index(before: index)]))
            let startsFileURL = text[index...].hasPrefix("file:/") && (index == text.startIndex || Self.separates(text[text.index(before: index)]))
            guard startsPath || startsFileURL else {
                result.append(character)
                index = text.index(after: index)
                continue
            }
            var end = startsFileURL ? text.index(index, offsetBy: 5) : index
            while end < text.endIndex, !Self.ends(text[end]) { end = text.index(after: end) }
            let path = text[index..<end]
            let last = path.split(separator: "/").last.map(String.init) ?? ""
            result += last.isEmpty || last == "file:" ? "…" : last
            index = end
        }
        return result
    }

    private static func separates(_ character: Character) -> Bool {
        character.isWhitespace || "'\"([{=,;".contains(character)
    }

    private static func ends(_ character: Character) -> Bool {
        character.isWhitespace || "'\")]},;".contains(character) || character == ":"
    }
}
