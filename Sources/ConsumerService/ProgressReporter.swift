import Foundation
import Logging
import Synchronization
import VideoCore
import VideoStore

/// Writes a job's stage, percent and ETA to its record, at most once per ``interval`` (a stage change is
/// written at once), under the job's attempt so a stale consumer cannot overwrite a newer one's progress.
final class ProgressReporter: Sendable {
    private struct State {
        var lastWrite: ContinuousClock.Instant?
        var lastStage: VideoStage?
        var lastPercent = -1.0
    }

    let store: any VideoStore
    let videoID: UUID
    let attempt: Int
    let interval: Duration
    let logger: Logger
    private let state = Mutex(State())

    init(store: any VideoStore, videoID: UUID, attempt: Int, interval: Duration, logger: Logger) {
        self.store = store
        self.videoID = videoID
        self.attempt = attempt
        self.interval = interval
        self.logger = logger
    }

    /// Records progress unless a write happened less than ``interval`` ago in the same stage.
    func report(stage: VideoStage, percent: Double, eta: Double?) async {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            let stageChanged = state.lastStage != stage
            let recent = state.lastWrite.map { now - $0 < interval } ?? false
            guard stageChanged || (!recent && percent != state.lastPercent) else { return false }
            state.lastWrite = now
            state.lastStage = stage
            state.lastPercent = percent
            return true
        }
        guard due else { return }
        do {
            let eta = eta.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
            _ = try await store.updateProgress(id: videoID, attempt: attempt, stage: stage, progress: min(100, max(0, percent)), eta: eta)
        } catch {
            logger.debug("progress not recorded", metadata: ["error": "\(error)"])
        }
    }
}
