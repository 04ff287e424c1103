import AWSClientRuntime
import AWSSigV4
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import S3Client
import SQSClient
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// `POST /v1/videos` against LocalStack and SQLite: stored, recorded, queued — or refused leaving nothing.
@Suite struct VideoIngestTests {
    @Test(arguments: ProducerDatabase.allCases)
    func aRawUploadIsStoredRecordedAndQueued(database: ProducerDatabase) async throws {
        let fixture = try await ProducerFixture(database: database)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let sample = SampleVideo.mp4
            #expect(sample.readableBytes > 1000)
            let sha = SHA256.hash(data: Data(sample.readableBytesView)).map { String(format: "%02x", $0) }.joined()
            let created = try await fixture.withClient { client in
                try await client.execute(
                    uri: "/v1/videos?title=My%20clip&jobs=transcode,audio", method: .post,
                    headers: ProducerFixture.headers(
                        key: fixture.alice,
                        extra: [
                            ("X-Filename", "../../etc/clip.mp4"),
                            ("Content-SHA256", sha),
                        ]),
                    body: sample
                ) { response in
                    #expect(response.status == .accepted)
                    return try ProducerFixture.decode(VideoResponse.self, response.body)
                }
            }
            let video = created.video
            #expect(video.title == "My clip")
            #expect(video.owner == "alice")
            #expect(video.jobs == [.transcode, .audio])
            #expect(video.originalFilename == "clip.mp4")
            #expect(video.sha256 == sha)
            #expect(video.size == Int64(sample.readableBytes))
            #expect(video.sourceKey == "sources/\(video.id.uuidString.lowercased())/source")
            #expect(video.contentType == "video/mp4")
            #expect(created.statusURL.hasSuffix("/v1/videos/\(video.id.uuidString.lowercased())"))
            // The dispatcher sends the message and the record becomes queued.
            #expect(try await ProducerFixture.eventually { try await fixture.store.video(id: video.id, owner: nil)?.status == .queued })
            let messages = try await fixture.sqs.receive(from: fixture.queueURL, maximumMessages: 10, waitTime: 2)
            #expect(messages.count == 1)
            let message = try QueueMessage.decode(try #require(messages.first).body)
            #expect(message.video.id == video.id)
            let stored = try await fixture.s3.getObject(bucket: fixture.bucket, key: video.sourceKey)
            #expect(stored.body == sample)
        }
    }

    @Test func aMultipartFormUploadTakesItsTitleFromTheForm() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let video = try await fixture.uploadForm(fields: [("title", "Holiday 🎥"), ("jobs", "thumbnails")], filename: "C:\\\\videos\\\\beach.mp4")
            #expect(video.title == "Holiday 🎥")
            #expect(video.originalFilename == "beach.mp4")
            #expect(video.jobs == [.thumbnails])
            #expect(video.size == Int64(SampleVideo.mp4.readableBytes))
            let stored = try await fixture.s3.getObject(bucket: fixture.bucket, key: video.sourceKey)
            #expect(stored.body == SampleVideo.mp4)
        }
    }

    @Test func oversizedFakeAndMismatchedUploadsAreRefusedAndLeaveNothing() async throws {
        let fixture = try await ProducerFixture { $0.maximumUploadBytes = 8_000 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                // Larger than the limit, without a Content-Length announcing it: refused once the limit is crossed.
                let big = ByteBuffer(bytes: [0, 0, 0, 0x18] + Array("ftypmp42".utf8) + [UInt8](repeating: 7, count: 20_000))
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice), body: big) { response in
                    #expect(response.status == .contentTooLarge)
                    #expect(ProducerFixture.errorCode(response.body) == "payload_too_large")
                }
                // Not a video container.
                let text = ByteBuffer(string: String(repeating: "#!/bin/sh\necho pwned\n", count: 40))
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice), body: text) { response in
                    #expect(response.status == .unsupportedMediaType)
                }
                // A checksum that does not match.
                let small = ByteBuffer(bytes: [0, 0, 0, 0x18] + Array("ftypmp42".utf8) + [UInt8](repeating: 1, count: 3_000))
                try await client.execute(
                    uri: "/v1/videos", method: .post,
                    headers: ProducerFixture.headers(key: fixture.alice, extra: [("Content-SHA256", String(repeating: "a", count: 64))]),
                    body: small
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(ProducerFixture.errorCode(response.body) == "checksum_mismatch")
                }
                try await client.execute(
                    uri: "/v1/videos", method: .post,
                    headers: ProducerFixture.headers(key: fixture.alice, extra: [("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")]),
                    body: small
                ) { response in
                    #expect(ProducerFixture.errorCode(response.body) == "checksum_mismatch")
                }
                // Empty, wrong content type, unknown job type, a title with control characters.
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice), body: ByteBuffer()) {
                    response in
                    #expect(response.status == .badRequest)
                }
                try await client.execute(
                    uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "text/plain"),
                    body: small
                ) { response in
                    #expect(response.status == .unsupportedMediaType)
                }
                try await client.execute(
                    uri: "/v1/videos?jobs=transcode,rm%20-rf", method: .post, headers: ProducerFixture.headers(key: fixture.alice),
                    body: small
                ) { response in
                    #expect(ProducerFixture.errorCode(response.body) == "unknown_job_type")
                }
                try await client.execute(
                    uri: "/v1/videos?title=a%0Ab", method: .post, headers: ProducerFixture.headers(key: fixture.alice),
                    body: small
                ) { response in
                    #expect(ProducerFixture.errorCode(response.body) == "invalid_title")
                }
            }
            try await fixture.expectNothingLeft()
        }
    }

    @Test func malformedMultipartBodiesAreClearErrors() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(
                    uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "multipart/form-data"),
                    body: ByteBuffer(string: "x")
                ) { response in
                    #expect(ProducerFixture.errorCode(response.body) == "malformed_multipart")
                }
                let noFile = "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nno file\r\n--b--\r\n"
                try await client.execute(
                    uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "multipart/form-data; boundary=b"),
                    body: ByteBuffer(string: noFile)
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(ProducerFixture.errorCode(response.body) == "missing_file")
                }
                let truncated =
                    "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.mp4\"\r\n\r\n\u{0}\u{0}\u{0}\u{18}ftypmp42"
                    + String(repeating: "z", count: 1000)
                try await client.execute(
                    uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "multipart/form-data; boundary=b"),
                    body: ByteBuffer(string: truncated)
                ) { response in
                    #expect(response.status == .badRequest)
                }
            }
            #expect(try await fixture.sourceObjects().isEmpty)
        }
    }

    @Test(arguments: ProducerDatabase.allCases)
    func anUploadAcceptedWhileSQSIsDownIsQueuedWhenItIsBack(database: ProducerDatabase) async throws {
        let fixture = try await ProducerFixture(database: database)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let deadEndpoint = try #require(AWSEndpoint(url: "http://127.0.0.1:9"))
            let deadSQS = SQSClient(
                configuration: AWSClientConfiguration(
                    region: "us-east-1", endpoint: deadEndpoint,
                    credentialProvider: StaticCredentialProvider(credentials: Credentials(accessKeyID: "test", secretAccessKey: "test")),
                    retry: RetryConfiguration(maximumAttempts: 1, baseDelay: .milliseconds(1)), requestTimeout: .seconds(2)))
            let video = try await fixture.withClient(sqs: deadSQS) { client in
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice), body: SampleVideo.mp4) {
                    response in
                    #expect(response.status == .accepted)
                    return try ProducerFixture.decode(VideoResponse.self, response.body).video
                }
            }
            #expect(try await fixture.store.video(id: video.id, owner: nil)?.status == .pending)
            #expect(try await fixture.store.outboxDepth() == 1)
            // SQS is back (a producer restarted with a working queue, or the same one once it answers).
            let dispatcher = OutboxDispatcher(store: fixture.store, sqs: fixture.sqs, queueURL: fixture.queueURL, logger: .init(label: "test"))
            #expect(try await ProducerFixture.eventually(timeout: .seconds(90)) { await dispatcher.dispatchDue() > 0 })
            #expect(try await fixture.store.video(id: video.id, owner: nil)?.status == .queued)
            #expect(try await fixture.store.outboxDepth() == 0)
            let message = try #require(try await fixture.sqs.receive(from: fixture.queueURL, waitTime: 2).first)
            #expect(try QueueMessage.decode(message.body).video.id == video.id)
        }
    }
}
