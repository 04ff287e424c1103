import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct PaginationTests {
    @Test(arguments: StoreBackend.allCases)
    func pagesHaveNoDuplicatesOrGaps(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let base = Date(timeIntervalSince1970: 1_700_000_000)
            var created: [VideoRecord] = []
            for index in 0..<29 {
                // Groups of four share a timestamp, so the id must break ties.
                let record = Sample.record(
                    owner: index % 3 == 0 ? "bob" : "alice",
                    createdAt: base.addingTimeInterval(Double(index / 4)))
                created.append(try await store.create(record, outboxPayload: "{}"))
            }
            for record in created.prefix(10) { _ = try await store.markQueued(id: record.id) }

            let expected = created.sorted {
                ($0.createdAt, $0.id.uuidString) > ($1.createdAt, $1.id.uuidString)
            }
            for limit in [1, 4, 7, 29, 50] {
                let all = try await collect(store, owner: nil, status: nil, limit: limit)
                #expect(all.map(\.id) == expected.map(\.id), "limit \(limit)")
            }
            let bobs = try await collect(store, owner: "bob", status: nil, limit: 3)
            #expect(bobs.map(\.id) == expected.filter { $0.owner == "bob" }.map(\.id))
            let queued = try await collect(store, owner: nil, status: .queued, limit: 3)
            #expect(Set(queued.map(\.id)) == Set(created.prefix(10).map(\.id)))
            let alicePending = try await collect(store, owner: "alice", status: .pending, limit: 5)
            #expect(alicePending.allSatisfy { $0.owner == "alice" && $0.status == .pending })
            #expect(alicePending.count == created.dropFirst(10).filter { $0.owner == "alice" }.count)
            #expect(
                try await store.videos(owner: "nobody", status: nil, cursor: nil, limit: 10)
                    == VideoPage(videos: [], nextCursor: nil))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func badCursorsAreRefused(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            for cursor in ["", "garbage", "djE6MTIzOm5vdC1hLXV1aWQ", "' OR 1=1 --", String(repeating: "A", count: 5000)] {
                do {
                    _ = try await store.videos(owner: nil, status: nil, cursor: cursor, limit: 10)
                    Issue.record("accepted the cursor \(cursor.prefix(20))")
                } catch let error as VideoStoreError {
                    #expect(error.code == .invalidCursor)
                }
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func limitIsClamped(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            for _ in 0..<3 { _ = try await store.create(Sample.record(), outboxPayload: "{}") }
            let page = try await store.videos(owner: nil, status: nil, cursor: nil, limit: 0)
            #expect(page.videos.count == 1 && page.nextCursor != nil)
            #expect(try await store.videos(owner: nil, status: nil, cursor: nil, limit: -5).videos.count == 1)
        }
    }

    private func collect(_ store: any VideoStore, owner: String?, status: VideoStatus?, limit: Int) async throws
        -> [VideoRecord]
    {
        var all: [VideoRecord] = []
        var cursor: String?
        repeat {
            let page = try await store.videos(owner: owner, status: status, cursor: cursor, limit: limit)
            #expect(page.videos.count <= limit)
            all += page.videos
            cursor = page.nextCursor
        } while cursor != nil && all.count < 1000
        #expect(Set(all.map(\.id)).count == all.count, "no duplicates")
        return all
    }
}
