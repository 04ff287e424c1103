import Foundation
import Testing
import VideoCore

@testable import VideoStore

@Suite struct IdempotencyKeyTests {
    @Test(arguments: StoreBackend.allCases)
    func aKeyRunsOnceAnswersItsResultAndRefusesAnotherRequest(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let now = Date()
            #expect(try await store.reserveIdempotencyKey(owner: "alice", key: "k1", fingerprint: "f", now: now) == .reserved)
            #expect(try await store.reserveIdempotencyKey(owner: "alice", key: "k1", fingerprint: "f", now: now) == .inProgress)
            #expect(try await store.reserveIdempotencyKey(owner: "alice", key: "k1", fingerprint: "other", now: now) == .mismatch)
            #expect(
                try await store.reserveIdempotencyKey(owner: "bob", key: "k1", fingerprint: "other", now: now) == .reserved,
                "keys are per owner")
            try await store.completeIdempotencyKey(owner: "alice", key: "k1", status: 202, response: "it's \"done\" ✓")
            #expect(
                try await store.reserveIdempotencyKey(owner: "alice", key: "k1", fingerprint: "f", now: now)
                    == .completed(status: 202, response: "it's \"done\" ✓"))
            try await store.releaseIdempotencyKey(owner: "alice", key: "k1")
            #expect(
                try await store.reserveIdempotencyKey(owner: "alice", key: "k1", fingerprint: "f", now: now)
                    == .completed(status: 202, response: "it's \"done\" ✓"), "a completed key is not released")
            // After 24 hours the key is free again.
            #expect(
                try await store.reserveIdempotencyKey(
                    owner: "alice", key: "k1", fingerprint: "new",
                    now: now.addingTimeInterval(IdempotencyKeys.retention + 1)) == .reserved)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aFailedOrAbandonedRequestFreesItsKey(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let now = Date()
            #expect(try await store.reserveIdempotencyKey(owner: "alice", key: "k", fingerprint: "f", now: now) == .reserved)
            try await store.releaseIdempotencyKey(owner: "alice", key: "k")
            #expect(try await store.reserveIdempotencyKey(owner: "alice", key: "k", fingerprint: "f", now: now) == .reserved)
            // Its producer died: after an hour without a result the reservation is given up.
            #expect(
                try await store.reserveIdempotencyKey(
                    owner: "alice", key: "k", fingerprint: "f",
                    now: now.addingTimeInterval(IdempotencyKeys.abandonAfter - 1)) == .inProgress)
            #expect(
                try await store.reserveIdempotencyKey(
                    owner: "alice", key: "k", fingerprint: "f",
                    now: now.addingTimeInterval(IdempotencyKeys.abandonAfter + 1)) == .reserved)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentRequestsUnderOneKeyHaveOneRunner(backend: StoreBackend) async throws {
        try await TestDatabase.with(backend) { _, store in
            let results = try await withThrowingTaskGroup(of: IdempotencyReservation.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.reserveIdempotencyKey(owner: "alice", key: "race", fingerprint: "f", now: Date()) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .reserved }.count == 1)
            #expect(results.filter { $0 == .inProgress }.count == 7)
        }
    }
}
