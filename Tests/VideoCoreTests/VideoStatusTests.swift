import Testing

@testable import VideoCore

@Suite struct VideoStatusTests {
    /// The whole table, written out: (from, to) pairs that are allowed. Every other pair must be refused.
    static let allowed: Set<[VideoStatus]> = [
        [.pending, .queued], [.pending, .processing], [.pending, .failed], [.pending, .cancelled],
        [.queued, .processing], [.queued, .failed], [.queued, .cancelled],
        [.processing, .queued], [.processing, .completed], [.processing, .failed], [.processing, .cancelled],
        [.failed, .queued],
    ]

    @Test(arguments: VideoStatus.allCases, VideoStatus.allCases)
    func transition(from: VideoStatus, to: VideoStatus) {
        #expect(from.canTransition(to: to) == Self.allowed.contains([from, to]), "\(from) → \(to)")
        #expect(VideoStatus.allowedSources(for: to).contains(from) == Self.allowed.contains([from, to]))
    }

    @Test func finalStatusesHaveNoWayOut() {
        #expect(VideoStatus.completed.isFinal && VideoStatus.cancelled.isFinal)
        #expect(VideoStatus.allCases.filter(\.isFinal) == [.completed, .cancelled])
        #expect(!VideoStatus.completed.canTransition(to: .completed), "completing twice")
        #expect(!VideoStatus.processing.canTransition(to: .processing))
        #expect(!VideoStatus.queued.canTransition(to: .pending), "no way back to pending")
    }

    @Test func allowedSourcesAreInDeclarationOrder() {
        #expect(VideoStatus.allowedSources(for: .queued) == [.pending, .processing, .failed])
        #expect(VideoStatus.allowedSources(for: .cancelled) == [.pending, .queued, .processing])
        #expect(VideoStatus.allowedSources(for: .pending) == [])
    }
}
