import MediaProcessing
import VideoCore

/// How a claimed job's run ended, as ``JobSettlement`` sees it: the abort reason if one stopped it, otherwise
/// what the work returned or threw.
enum JobEnding: Sendable, Equatable {
    /// Stopped for `reason` (the owner cancelled, the timeout passed, the message was lost, a shutdown's drain
    /// timeout passed).
    case aborted(AbortReason)
    /// Completed: outputs uploaded and the record `completed` with `outputs` of them.
    case completed(outputs: Int)
    /// The store refused the completion: the record was cancelled or deleted, or a newer attempt owns it.
    case completionRefused
    /// The work threw an error, classified.
    case failed(FailureClassification)
    /// Cancelled without a reason, or no result at all: the consumer itself is being torn down.
    case interrupted

    /// The ending of a run stopped for `reason` (if any) whose work produced `result` (`nil`: none).
    init(reason: AbortReason?, result: Result<VideoRecord?, any Error>?) {
        if let reason {
            self = .aborted(reason)
            return
        }
        switch result {
        case .success(let completed?)?:
            self = .completed(outputs: completed.outputs.count)
        case .success(nil)?:
            self = .completionRefused
        case .failure(let error)?:
            if error is CancellationError || (error as? MediaError)?.code == .cancelled {
                self = .interrupted
            } else {
                self = .failed(FailureClassification.classify(error))
            }
        case nil:
            self = .interrupted
        }
    }
}
