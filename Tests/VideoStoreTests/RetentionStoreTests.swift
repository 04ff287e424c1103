import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct RetentionStoreTests {
    @Test(arguments: StoreBackend.allCases)
    func aLeaseHasOneHolderUntilItExpires(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { (_, store) async throws in
            let now = Date()
            #expect(try await store.acquireLease(name: "retention", holder: "a", until: now.addingTimeInterval(60), now: now))
            #expect(try await store.acquireLease(name: "retention", holder: "b", until: now.addingTimeInterval(60), now: now) == false)
            #expect(try await store.acquireLease(name: "retention", holder: "a", until: now.addingTimeInterval(120), now: now), "renewed by its holder")
            #expect(try await store.acquireLease(name: "other", holder: "b", until: now.addingTimeInterval(60), now: now), "names are separate")
            let later = now.addingTimeInterval(121)
            #expect(try await store.acquireLease(name: "retention", holder: "b", until: later.addingTimeInterval(60), now: later), "expired: taken over")
            #expect(try await store.acquireLease(name: "retention", holder: "a", until: later.addingTimeInterval(60), now: later) == false)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func finishedVideosAreFoundByFinishTimeAndOwner(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { (_, store) async throws in
            func finished(_ owner: String, _ status: VideoStatus) async throws -> UUID {
                let record = Sample.record(owner: owner)
                _ = try await store.create(record, outboxPayload: try Sample.payload(record))
                switch status {
                case .completed:
                    let claimed = try #require(try await store.claim(id: record.id, messageID: nil))
                    _ = try await store.complete(id: record.id, attempt: claimed.attempts, outputs: [])
                case .failed:
                    _ = try await store.fail(id: record.id, attempt: nil, error: VideoFailure(code: "x", message: "y"))
                case .cancelled:
                    _ = try await store.cancel(id: record.id, owner: nil)
                default:
                    break
                }
                return record.id
            }
            let done = try await finished("alice", .completed)
            let failed = try await finished("alice", .failed)
            let cancelled = try await finished("bob", .cancelled)
            _ = try await finished("alice", .pending)  // not finished: never found
            let future = Date().addingTimeInterval(10)
            let all = try await store.finishedVideos(before: future, owners: nil, excluding: [], limit: 10).map(\.id)
            #expect(Set(all) == [done, failed, cancelled])
            #expect(try await store.finishedVideos(before: Date().addingTimeInterval(-60), owners: nil, excluding: [], limit: 10).isEmpty)
            #expect(Set(try await store.finishedVideos(before: future, owners: ["bob"], excluding: [], limit: 10).map(\.id)) == [cancelled])
            #expect(Set(try await store.finishedVideos(before: future, owners: nil, excluding: ["bob"], limit: 10).map(\.id)) == [done, failed])
            #expect(try await store.finishedVideos(before: future, owners: [], excluding: [], limit: 10).isEmpty)
            #expect(try await store.finishedVideos(before: future, owners: nil, excluding: [], limit: 1).count == 1)
        }
    }
}
