import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct InsightTests {
    @Test(arguments: StoreBackend.allCases)
    func queuePositionCountsAndDurations(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            var queued: [VideoRecord] = []
            for _ in 0..<4 {
                queued.append(try await Sample.stored(in: store, status: .queued))
                try await Task.sleep(for: .milliseconds(3))
            }
            for (index, record) in queued.enumerated() {
                #expect(try await store.queuePosition(of: record.id) == index)
            }
            let pending = try await Sample.stored(in: store, status: .pending)
            #expect(try await store.queuePosition(of: pending.id) == nil)
            #expect(try await store.queuePosition(of: UUID()) == nil)

            let claimed = try #require(try await store.claim(id: queued[0].id))
            #expect(try await store.queuePosition(of: queued[1].id) == 0, "the head left the queue")
            try await Task.sleep(for: .milliseconds(20))
            _ = try #require(try await store.complete(id: claimed.id, attempt: claimed.attempts, outputs: []))
            _ = try await Sample.stored(in: store, status: .failed)

            let counts = try await store.statusCounts()
            #expect(counts == [.pending: 1, .queued: 3, .processing: 0, .completed: 1, .failed: 1, .cancelled: 0])

            let seconds = try await store.recentProcessingSeconds(limit: 10)
            #expect(seconds.count == 1)
            #expect(try #require(seconds.first) >= 0.02 && seconds[0] < 30)
            #expect(try await store.averageProcessingSeconds() == seconds.first)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func emptyStore(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let counts = try await store.statusCounts()
            #expect(counts.count == VideoStatus.allCases.count && counts.values.allSatisfy { $0 == 0 })
            #expect(try await store.averageProcessingSeconds() == nil)
            #expect(try await store.outboxDepth() == 0)
        }
    }
}
