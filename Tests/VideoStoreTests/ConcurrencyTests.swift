import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct ConcurrencyTests {
    /// Several consumers (each with a store of its own, like separate processes) claim the same record at once:
    /// exactly one wins, every round.
    @Test(arguments: StoreBackend.allCases)
    func concurrentClaimsHaveOneWinner(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { database, store in
            let other = try await database.open()
            let stores: [any VideoStore] = [store, other]
            for round in 0..<15 {
                let record = try await Sample.stored(in: store, status: .queued)
                let winners = try await withThrowingTaskGroup(of: VideoRecord?.self) { group in
                    for index in 0..<6 {
                        let claimer = stores[index % stores.count]
                        group.addTask { try await claimer.claim(id: record.id) }
                    }
                    return try await group.reduce(into: [VideoRecord]()) { if let won = $1 { $0.append(won) } }
                }
                #expect(winners.count == 1, "round \(round): \(winners.count) winners")
                #expect(winners.first?.attempts == 1)
            }
        }
    }

    /// Two consumers hold the same message (the first one's visibility timed out): they race to complete;
    /// only the current attempt can.
    @Test(arguments: StoreBackend.allCases)
    func concurrentCompletionsHaveOneWinner(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { database, store in
            let other = try await database.open()
            for _ in 0..<10 {
                let first = try await Sample.stored(in: store, status: .processing)
                _ = try #require(try await store.release(id: first.id, attempt: first.attempts))
                let second = try #require(try await other.claim(id: first.id))
                async let a = store.complete(id: first.id, attempt: first.attempts, outputs: [])
                async let b = other.complete(id: first.id, attempt: second.attempts, outputs: [])
                async let c = other.complete(id: first.id, attempt: second.attempts, outputs: [])
                let results = try await [a, b, c]
                #expect(results[0] == nil, "the stale attempt never completes")
                #expect(results.compactMap { $0 }.count == 1)
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentCreatesAndReads(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let record = try await store.create(Sample.record(title: "v\(index)"), outboxPayload: "{}")
                        #expect(try await store.video(id: record.id, owner: nil)?.title == "v\(index)")
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.outboxDepth() == 40)
            #expect(try await store.statusCounts()[.pending] == 40)
        }
    }
}
