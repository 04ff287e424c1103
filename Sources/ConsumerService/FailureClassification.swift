import AWSClientRuntime
import MediaProcessing
import S3Client
import SQSClient
import VideoCore
import VideoStore

/// Whether a job error is worth retrying, and what to record when it is not.
///
/// - Permanent (the video or the request is bad; retrying cannot help): a permanent `MediaError` (unreadable
///   or unsupported input, FFmpeg rejecting it, an unknown job type), a `VideoFailure` such as the handler's
///   `source_missing` for a source object that does not exist.
///   The record is failed with ``VideoFailure/code`` in snake case (`probe_failed`, `ffmpeg_failed`,
///   `source_missing`…), the message and FFmpeg's stderr tail as the detail.
/// - Transient (everything else: S3, SQS, the database, the network, a full disk, a missing tool): the record
///   is released and the message comes back after a backoff.
public enum FailureClassification: Sendable, Equatable {
    /// Retrying may succeed. `code` is what the record fails with when no retry is left: `retries_exhausted`, or the
    /// error's own (`ffmpeg_killed`: FFmpeg killed on every attempt, e.g. by the unit's memory limit).
    case transient(String, code: String = "retries_exhausted")
    /// Retrying cannot succeed; the record is failed with this.
    case permanent(VideoFailure)

    /// Classifies `error`. A transient failure's message may end in the record the owner reads (when no retry is
    /// left): this machine's paths are removed from it as from a permanent one's.
    public static func classify(_ error: any Error) -> FailureClassification {
        switch classifyUnredacted(error) {
        case .transient(let message, let code): .transient(PathRedaction.redact(message), code: code)
        case .permanent(let failure): .permanent(failure)
        }
    }

    private static func classifyUnredacted(_ error: any Error) -> FailureClassification {
        switch error {
        case let failure as VideoFailure:
            return .permanent(failure)
        case let media as MediaError:
            guard media.isPermanent else {
                return media.code == .ffmpegKilled
                    ? .transient(PathRedaction.redact(media.message), code: media.code.rawValue)
                    : .transient(media.description)
            }
            // What FFmpeg printed reaches the video's owner: without this machine's paths.
            let detail = media.stderrTail.isEmpty ? nil : PathRedaction.redact(media.stderrTail.joined(separator: "\n"))
            return .permanent(VideoFailure(code: media.code.rawValue, message: PathRedaction.redact(media.message), detail: detail))
        case let s3 as S3Error:
            return .transient("S3: \(s3)")
        case let sqs as SQSError:
            return .transient("SQS: \(sqs)")
        case let store as VideoStoreError:
            return .transient("database: \(store)")
        case let transport as AWSTransportError:
            return .transient("network: \(transport)")
        default:
            return .transient("\(error)")
        }
    }
}
