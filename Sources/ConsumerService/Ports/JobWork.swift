import Foundation
import Logging
import VideoCore

/// The media work of one claimed job — download, probe, process, upload, complete — as the message handler
/// sees it: ``MediaJobWork`` in production, scripted fakes in the decision tests.
protocol JobWork: Sendable {
    /// Runs the jobs of `record` in `scratch` (created and removed by the work). Returns the completed record, or
    /// `nil` when the store refused the completion (stale attempt, cancelled record). Stops when `signal` fires
    /// or the task is cancelled; ``JobDeadline/current`` is the job's deadline while it runs.
    func run(record: VideoRecord, scratch: URL, signal: AbortSignal, logger: Logger) async throws -> VideoRecord?
}
