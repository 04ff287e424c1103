/// The one casing of every error code VideoQueue shows (API errors, a failed video's code): snake case.
public enum ErrorCode {
    /// `FFmpegFailed` → `ffmpeg_failed`, `NoVideoStream` → `no_video_stream`; snake case stays as it is.
    public static func snakeCase(_ text: String) -> String {
        var result = ""
        var previous: Character?
        for character in text {
            if character.isUppercase, let previous, previous.isLowercase || previous.isNumber {
                result.append("_")
            }
            result.append(contentsOf: character.lowercased())
            previous = character
        }
        return result
    }
}
