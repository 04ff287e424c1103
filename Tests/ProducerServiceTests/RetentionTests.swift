import Foundation
import HummingbirdTesting
import NIOCore
import ServiceSupport
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

@Suite struct RetentionPolicyTests {
    @Test func daysExpiryAndSweepsFollowTheDefaultAndTheOverrides() throws {
        let policy = RetentionPolicy(defaultDays: 30, overrides: ["archive": 0, "trial": 1])
        #expect(policy.days(for: "alice") == 30 && policy.days(for: "archive") == 0 && policy.days(for: "trial") == 1)
        let now = Date(timeIntervalSince1970: 1_000_000_000)
        var record = VideoRecord(
            owner: "trial", title: "t", originalFilename: "a.mp4", sourceBucket: "b", sourceKey: "k", size: 1,
            contentType: "video/mp4", jobs: [.transcode], status: .completed, finishedAt: now)
        #expect(policy.expiresAt(record) == now.addingTimeInterval(86_400))
        record.owner = "archive"
        #expect(policy.expiresAt(record) == nil, "kept for ever")
        record.owner = "alice"
        record.status = .processing
        #expect(policy.expiresAt(record) == nil, "not finished")
        #expect(
            policy.sweeps(now: now) == [
                .init(owners: nil, excluded: ["archive", "trial"], cutoff: now.addingTimeInterval(-30 * 86_400)),
                .init(owners: ["trial"], excluded: [], cutoff: now.addingTimeInterval(-86_400)),
            ])
        #expect(RetentionPolicy().sweeps(now: now).isEmpty, "no retention: nothing to sweep")
        #expect(try RetentionPolicy.overrides(" a = 7, b=0 ,", setting: "S") == ["a": 7, "b": 0])
        for bad in ["a", "a=", "=3", "a=-1", "a=x", "a=99999"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try RetentionPolicy.overrides(bad, setting: "S") }
        }
    }
}

/// The sweeper against LocalStack and a real store: expired videos go with every object under their prefixes.
@Suite struct RetentionTests {
    /// A completed video of `owner` with an output object in the bucket.
    static func completedVideo(_ fixture: ProducerFixture, owner: String) async throws -> VideoRecord {
        let id = UUID()
        let record = VideoRecord(
            id: id, owner: owner, title: "t", originalFilename: "a.mp4", sourceBucket: fixture.bucket,
            sourceKey: VideoKeys.source(id), size: 5, contentType: "video/mp4", jobs: [.transcode])
        _ = try await fixture.s3.putObject(ByteBuffer(string: "source"), bucket: fixture.bucket, key: record.sourceKey)
        let output = VideoOutput(kind: "transcode/240p", key: VideoKeys.outputPrefix(id) + "transcode/240p.mp4", size: 3, contentType: "video/mp4")
        _ = try await fixture.s3.putObject(ByteBuffer(string: "out"), bucket: fixture.bucket, key: output.key)
        // Left by a fenced-out attempt: not recorded, deleted all the same.
        _ = try await fixture.s3.putObject(ByteBuffer(string: "stray"), bucket: fixture.bucket, key: VideoKeys.outputPrefix(id) + "hls/stray.ts")
        _ = try await fixture.store.create(record, outboxPayload: "{}")
        let claimed = try #require(try await fixture.store.claim(id: id, messageID: nil))
        return try #require(try await fixture.store.complete(id: id, attempt: claimed.attempts, outputs: [output]))
    }

    @Test func expiredVideosAreDeletedWithTheirObjectsByOneSweeperAtATime() async throws {
        let fixture = try await ProducerFixture { configuration in
            configuration.retention = RetentionPolicy(defaultDays: 7, overrides: ["archive": 0])
        }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let expired = try await Self.completedVideo(fixture, owner: "alice")
            let kept = try await Self.completedVideo(fixture, owner: "archive")
            let running = VideoRecord(
                owner: "alice", title: "r", originalFilename: "r.mp4", sourceBucket: fixture.bucket,
                sourceKey: VideoKeys.source(UUID()), size: 1, contentType: "video/mp4", jobs: [.transcode])
            _ = try await fixture.store.create(running, outboxPayload: "{}")

            // The API tells when a finished video expires.
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos/\(expired.id.uuidString)", method: .get, headers: ProducerFixture.headers(key: fixture.alice)) {
                    response in
                    let document = try ProducerFixture.decode(VideoResponse.self, response.body)
                    let finished = try #require(expired.finishedAt)
                    #expect(document.expiresAt == finished.addingTimeInterval(7 * 86_400))
                }
            }

            let later = Date().addingTimeInterval(8 * 86_400)
            let first = RetentionSweeper(
                store: fixture.store, s3: fixture.s3, bucket: fixture.bucket, policy: fixture.configuration.retention,
                interval: .seconds(3600), logger: .init(label: "test"), holder: "producer-1")
            let second = RetentionSweeper(
                store: fixture.store, s3: fixture.s3, bucket: fixture.bucket, policy: fixture.configuration.retention,
                interval: .seconds(3600), logger: .init(label: "test"), holder: "producer-2")
            #expect(try await first.sweep(now: later) == 1)
            #expect(try await second.sweep(now: later) == 0, "the lease is the first producer's")
            #expect(try await fixture.store.video(id: expired.id, owner: nil) == nil)
            let left = try await fixture.s3.listObjects(bucket: fixture.bucket).collect().map(\.key)
            #expect(!left.contains { $0.contains(expired.id.uuidString.lowercased()) }, "\(left)")
            #expect(try await fixture.store.video(id: kept.id, owner: nil) != nil, "an owner kept for ever")
            #expect(left.contains(kept.sourceKey))
            #expect(try await fixture.store.video(id: running.id, owner: nil) != nil, "an unfinished video is never expired")
            // Before its time nothing goes; a sweeper with no retention never runs a round.
            let early = try await Self.completedVideo(fixture, owner: "alice")
            #expect(try await first.sweep(now: Date()) == 0)
            #expect(try await fixture.store.video(id: early.id, owner: nil) != nil)
        }
    }
}
