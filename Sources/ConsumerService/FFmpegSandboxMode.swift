import Logging
import MediaProcessing

/// Whether the consumer runs ffprobe and FFmpeg in a ``Sandbox`` (`VIDEOQUEUE_FFMPEG_SANDBOX`).
public enum FFmpegSandboxMode: String, Sendable, CaseIterable {
    /// In bubblewrap when it works here (checked once at start), else without a sandbox and a warning.
    case auto
    /// In bubblewrap, always: a consumer where it cannot start refuses to start (exit 78).
    case bubblewrap
    /// Without a sandbox.
    case none

    /// The sandbox to use, checking that it works (`auto` logs why it is not used).
    func resolve(logger: Logger) -> Sandbox? {
        switch self {
        case .none:
            return nil
        case .bubblewrap:
            return Sandbox()
        case .auto:
            switch Sandbox().check() {
            case .success:
                return Sandbox()
            case .failure(let error):
                logger.warning(
                    "FFmpeg runs WITHOUT a sandbox (set VIDEOQUEUE_FFMPEG_SANDBOX=none to silence this)",
                    metadata: ["reason": "\(error.message)"])
                return nil
            }
        }
    }
}
