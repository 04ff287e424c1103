import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import S3Client
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// Authentication, owner scoping, listing, cancel/delete, retry, rate limits and the progress stream.
@Suite struct VideoAccessTests {
    /// Stores a record for `owner` directly (no upload), as the consumer would find it.
    static func record(_ fixture: ProducerFixture, owner: String, title: String = "t") async throws -> VideoRecord {
        let id = UUID()
        let key = "sources/\(id.uuidString.lowercased())/source"
        try await fixture.s3.putObject(SampleVideo.mp4, bucket: fixture.bucket, key: key, contentType: "video/mp4")
        let record = VideoRecord(
            id: id, owner: owner, title: title, originalFilename: "a.mp4", sourceBucket: fixture.bucket,
            sourceKey: key, size: Int64(SampleVideo.mp4.readableBytes), contentType: "video/mp4", jobs: [.transcode])
        return try await fixture.store.create(record, outboxPayload: try QueueMessage(video: record).encodedString())
    }

    @Test func requestsWithoutAValidKeyAreRefused() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos", method: .get) { response in
                    #expect(response.status == .unauthorized)
                    #expect(ProducerFixture.errorCode(response.body) == "unauthorized")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                }
                try await client.execute(uri: "/v1/videos", method: .get, headers: [.authorization: "Bearer vq_not-a-key"]) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/v1/videos", method: .get, headers: [HTTPField.Name("X-API-Key")!: fixture.alice]) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/v1/videos", method: .get, headers: [.authorization: "Bearer " + String(repeating: "x", count: 10_000)]) {
                    response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
                try await client.execute(uri: "/no/such/route", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(ProducerFixture.errorCode(response.body) == "not_found")
                }
            }
            let keys = try await fixture.store.apiKeys()
            let aliceKey = try #require(keys.first { $0.owner == "alice" })
            #expect(try await fixture.store.revokeAPIKey(id: aliceKey.id))
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos", method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }

    @Test func anotherOwnersVideoIsNotFoundAndAnAdminSeesAll() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let mine = try await Self.record(fixture, owner: "alice")
            try await fixture.withClient { client in
                let path = "/v1/videos/\(mine.id.uuidString.lowercased())"
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(fixture.bob)"]) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: path, method: .delete, headers: [.authorization: "Bearer \(fixture.bob)"]) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) { response in
                    #expect(response.status == .ok)
                    let body = try ProducerFixture.decode(VideoResponse.self, response.body)
                    #expect(body.video.id == mine.id)
                    #expect(body.downloads?["source"]?.contains("X-Amz-Signature=") == true)
                }
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/v1/videos/not-a-uuid", method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/v1/videos", method: .get, headers: [.authorization: "Bearer \(fixture.bob)"]) { response in
                    let decoded = try ProducerFixture.decode(VideoListResponse.self, response.body)
                    #expect(decoded.videos.isEmpty)
                }
            }
        }
    }

    @Test(arguments: ProducerDatabase.allCases)
    func listsPageNewestFirstAndFilterByStatus(database: ProducerDatabase) async throws {
        let fixture = try await ProducerFixture(database: database)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            var ids: [UUID] = []
            for index in 0..<5 { ids.append(try await Self.record(fixture, owner: "alice", title: "v\(index)").id) }
            _ = try await fixture.store.cancel(id: ids[0], owner: nil)
            let created = ids
            try await fixture.withClient { client in
                var seen: [UUID] = []
                var cursor: String?
                repeat {
                    let uri = "/v1/videos?limit=2" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? "")
                    let page = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) { response in
                        #expect(response.status == .ok)
                        return try ProducerFixture.decode(VideoListResponse.self, response.body)
                    }
                    seen += page.videos.map(\.id)
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(seen == created.reversed())
                try await client.execute(uri: "/v1/videos?status=cancelled", method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) { response in
                    let decoded = try ProducerFixture.decode(VideoListResponse.self, response.body)
                    #expect(decoded.videos.map(\.id) == [created[0]])
                }
                for bad in ["/v1/videos?status=exploded", "/v1/videos?limit=0", "/v1/videos?limit=1000", "/v1/videos?cursor=%27%3B%20DROP%20TABLE"] {
                    try await client.execute(uri: bad, method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) { response in
                        #expect(response.status == .badRequest, "\(bad)")
                    }
                }
            }
        }
    }

    @Test func deleteCancelsWaitingVideosAndRemovesFinishedOnes() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let waiting = try await Self.record(fixture, owner: "alice")
            let finished = try await Self.record(fixture, owner: "alice")
            _ = try await fixture.store.markQueued(id: finished.id)
            let claimed = try #require(try await fixture.store.claim(id: finished.id))
            let outputKey = "outputs/\(finished.id.uuidString.lowercased())/720p.mp4"
            try await fixture.s3.putObject(SampleVideo.mp4, bucket: fixture.bucket, key: outputKey)
            _ = try await fixture.store.complete(
                id: finished.id, attempt: claimed.attempts,
                outputs: [VideoOutput(kind: "transcode/720p", key: outputKey, size: 1, contentType: "video/mp4")])
            // Objects under the video's prefix that the record does not name (a fenced-out attempt's uploads) go too.
            let unrecorded = [
                "outputs/\(finished.id.uuidString.lowercased())/hls/720p/segment_000.ts",
                "outputs/\(finished.id.uuidString.lowercased())/stale/attempt-1.mp4",
            ]
            for key in unrecorded { try await fixture.s3.putObject(SampleVideo.mp4, bucket: fixture.bucket, key: key) }
            let neighbour = "outputs/\(waiting.id.uuidString.lowercased())/keep.mp4"
            try await fixture.s3.putObject(SampleVideo.mp4, bucket: fixture.bucket, key: neighbour)
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos/\(waiting.id.uuidString)", method: .delete, headers: [.authorization: "Bearer \(fixture.alice)"]) {
                    response in
                    #expect(response.status == .accepted)
                    let decoded = try ProducerFixture.decode(VideoResponse.self, response.body)
                    #expect(decoded.video.status == .cancelled)
                }
                try await client.execute(uri: "/v1/videos/\(finished.id.uuidString)", method: .delete, headers: [.authorization: "Bearer \(fixture.alice)"]) {
                    response in
                    #expect(response.status == .noContent)
                }
                try await client.execute(uri: "/v1/videos/\(finished.id.uuidString)", method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) {
                    response in
                    #expect(response.status == .notFound)
                }
            }
            #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: outputKey) == nil)
            #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: finished.sourceKey) == nil)
            for key in unrecorded { #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: key) == nil, "\(key)") }
            #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: neighbour) != nil, "another video's prefix is kept")
        }
    }

    @Test func aFailedVideoCanBeRetriedAndOthersCannot() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let video = try await Self.record(fixture, owner: "alice")
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos/\(video.id.uuidString)/retry", method: .post, headers: [.authorization: "Bearer \(fixture.alice)"]) {
                    response in
                    #expect(response.status == .conflict)
                }
            }
            _ = try await fixture.store.markQueued(id: video.id)
            let claimed = try #require(try await fixture.store.claim(id: video.id))
            _ = try await fixture.store.fail(id: video.id, attempt: claimed.attempts, error: VideoFailure(code: "Transient", message: "boom"))
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos/\(video.id.uuidString)/retry", method: .post, headers: [.authorization: "Bearer \(fixture.alice)"]) {
                    response in
                    #expect(response.status == .accepted)
                    #expect(response.headers[.location] == "/v1/videos/\(video.id.uuidString.lowercased())")
                }
            }
            #expect(try await fixture.store.video(id: video.id, owner: nil)?.status == .queued)
        }
    }

    @Test func uploadsBeyondTheRateLimitGet429WithRetryAfter() async throws {
        let fixture = try await ProducerFixture { $0.uploadsPerMinute = 1 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice), body: SampleVideo.mp4) {
                    response in
                    #expect(response.status == .accepted)
                }
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice), body: SampleVideo.mp4) {
                    response in
                    #expect(response.status == .tooManyRequests)
                    #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                }
                // Another key has its own bucket.
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.bob), body: SampleVideo.mp4) {
                    response in
                    #expect(response.status == .accepted)
                }
            }
        }
    }

    @Test func theEventStreamFollowsTheRecordToItsEnd() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let video = try await Self.record(fixture, owner: "alice")
            _ = try await fixture.store.markQueued(id: video.id)
            let store = fixture.store
            // Each change is made only after the stream has shown the previous state: no timing assumptions.
            let text = try await fixture.withClient { client in
                let port = try #require(client.port)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/videos/\(video.id.uuidString)/events")
                request.headers.add(name: "Authorization", value: "Bearer \(fixture.alice)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
                var text = ""
                var attempt: Int?
                var completed = false
                for try await buffer in response.body {
                    text += String(buffer: buffer)
                    if attempt == nil, text.contains("\"status\":\"queued\"") {
                        let claimed = try #require(try await store.claim(id: video.id))
                        attempt = claimed.attempts
                        _ = try await store.updateProgress(id: video.id, attempt: claimed.attempts, stage: .encoding, progress: 42, eta: 7)
                    } else if let attempt, !completed, text.contains("\"progress\":42") {
                        completed = true
                        _ = try await store.complete(id: video.id, attempt: attempt, outputs: [])
                    }
                }
                return text
            }
            #expect(text.contains("\"status\":\"queued\""))
            #expect(text.contains("\"progress\":42"))
            #expect(text.contains("\"stage\":\"encoding\""))
            #expect(text.contains("event: done"))
            #expect(text.contains("\"status\":\"completed\""))
        }
    }

    @Test func queueHealthReadinessAndMetricsAnswer() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            _ = try await Self.record(fixture, owner: "alice")
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/queue", method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]) { response in
                    #expect(response.status == .ok)
                    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                    let records = object?["records"] as? [String: Int] ?? [:]
                    #expect((records["pending"] ?? 0) + (records["queued"] ?? 0) == 1)  // the dispatcher may have sent it already
                    #expect(object?["outboxDepth"] != nil)
                    #expect(object?["queue"] != nil)
                }
                // Another owner's records are not counted for bob.
                try await client.execute(uri: "/v1/queue", method: .get, headers: [.authorization: "Bearer \(fixture.bob)"]) { response in
                    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                    let records = object?["records"] as? [String: Int] ?? [:]
                    #expect(records.values.reduce(0, +) == 0)
                }
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("\"sqs\":\"ok\""))
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("hb_requests") || String(buffer: response.body).contains("http"))
                }
            }
            var broken = fixture
            broken.configuration.queueURL = fixture.queueURL + "-missing"
            try await broken.withClient { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(String(buffer: response.body).contains("\"sqs\":\"fail\""))
                    #expect(!String(buffer: response.body).contains("QueueDoesNotExist"), "no details for anyone")
                }
                try await client.execute(uri: "/readyz", method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]) { response in
                    #expect(String(buffer: response.body).contains("QueueDoesNotExist"), "details for an admin key")
                }
            }
        }
    }
}
