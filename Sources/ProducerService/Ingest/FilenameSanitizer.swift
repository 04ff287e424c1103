/// Makes a client's file name safe to store and show: the last path component only, control characters,
/// quotes and separators removed, at most 200 bytes; never used in an S3 key.
enum FilenameSanitizer {
    static func sanitize(_ name: String?) -> String {
        guard let name else { return "upload" }
        let lastComponent = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(
            String.UnicodeScalarView(
                lastComponent.unicodeScalars.filter { scalar in
                    !(scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                        || "\"<>|*?:".unicodeScalars.contains(scalar))
                })
        ).trimmingCharacters(in: .whitespaces)
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        while cleaned.utf8.count > 200 { cleaned.removeLast() }
        return cleaned.isEmpty ? "upload" : cleaned
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var result = Substring(self)
        while let first = result.first, set.contains(first) { result.removeFirst() }
        while let last = result.last, set.contains(last) { result.removeLast() }
        return String(result)
    }
}

extension Set where Element == Character {
    fileprivate static var whitespaces: Set<Character> { [" ", "\t"] }
}
