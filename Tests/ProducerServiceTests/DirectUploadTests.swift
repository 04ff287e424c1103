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

/// `POST /v1/uploads` and its completion: presigned URLs, then the object checked and queued.
@Suite struct DirectUploadTests {
    static func start(_ client: some TestClientProtocol, key: String, size: Int) async throws -> UploadRoutes.StartResponse {
        try await client.execute(
            uri: "/v1/uploads", method: .post, headers: [.authorization: "Bearer \(key)", .contentType: "application/json"],
            body: ByteBuffer(string: #"{"size": \#(size), "title": "direct", "filename": "d.mp4", "jobs": ["hls"]}"#)
        ) { response in
            #expect(response.status == .created)
            let started = try ProducerFixture.decode(UploadRoutes.StartResponse.self, response.body)
            #expect(response.headers[.location] == started.completeURL)
            return started
        }
    }

    /// PUTs `bytes` to a presigned URL with the headers it signed (Content-Type; Content-Length is the body's).
    static func put(_ url: String, _ bytes: ByteBuffer) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .PUT
        if url.contains("content-type") { request.headers.add(name: "Content-Type", value: "application/octet-stream") }
        request.body = .bytes(bytes)
        return try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    }

    static func complete(_ client: some TestClientProtocol, key: String, uploadID: String) async throws -> TestResponse {
        try await client.execute(uri: "/v1/uploads/\(uploadID)/complete", method: .post, headers: [.authorization: "Bearer \(key)"])
    }

    @Test func aSinglePutDirectUploadIsCheckedRecordedAndQueued() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let sample = SampleVideo.mp4
            try await fixture.withClient { client in
                let started = try await Self.start(client, key: fixture.alice, size: sample.readableBytes)
                let url = try #require(started.url)
                #expect(try await Self.put(url, sample).status == .ok)
                // Another owner cannot complete it; a forged token is unknown.
                #expect(try await Self.complete(client, key: fixture.bob, uploadID: started.uploadID).status == .notFound)
                #expect(try await Self.complete(client, key: fixture.alice, uploadID: started.uploadID + "x").status == .notFound)
                let response = try await Self.complete(client, key: fixture.alice, uploadID: started.uploadID)
                #expect(response.status == .accepted)
                let video = try ProducerFixture.decode(VideoResponse.self, response.body).video
                #expect(video.title == "direct")
                #expect(video.jobs == [.hls])
                #expect(video.size == Int64(sample.readableBytes))
                #expect(try await ProducerFixture.eventually { try await fixture.store.video(id: video.id, owner: nil)?.status == .queued })
                // Completing twice does not make a second record: the same video again.
                let again = try await Self.complete(client, key: fixture.alice, uploadID: started.uploadID)
                #expect(again.status == .accepted)
                #expect(try ProducerFixture.decode(VideoResponse.self, again.body).video.id == video.id)
                #expect(try await fixture.store.videos(owner: nil, status: nil, cursor: nil, limit: 10).videos.count == 1)
                // The URL wrote a staging key, gone now; writing through it again cannot touch the source.
                #expect(video.sourceKey.hasPrefix("sources/"))
                #expect(!url.contains(video.sourceKey))
                let stored = try await fixture.s3.headObject(bucket: fixture.bucket, key: video.sourceKey)
                #expect(stored.eTag == video.sourceETag)
                var swapped = ByteBuffer(string: "#EXTM3U\n")
                swapped.writeRepeatingByte(0x20, count: sample.readableBytes - swapped.readableBytes)
                _ = try await Self.put(url, swapped)
                #expect(try await fixture.s3.headObject(bucket: fixture.bucket, key: video.sourceKey).eTag == stored.eTag)
                // A body of another size than the one signed is refused by S3.
                #expect(try await Self.put(url, ByteBuffer(bytes: [UInt8](repeating: 1, count: 10))).status != .ok)
            }
        }
    }

    @Test func concurrentAndInterruptedCompletionsAnswerTheOneVideoAndTheCopyIsConditional() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let sample = SampleVideo.mp4
            try await fixture.withClient { client in
                // Three completions at once: one video, each answered with it.
                let started = try await Self.start(client, key: fixture.alice, size: sample.readableBytes)
                #expect(try await Self.put(try #require(started.url), sample).status == .ok)
                let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, UUID?).self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            let response = try await Self.complete(client, key: fixture.alice, uploadID: started.uploadID)
                            return (response.status, try? ProducerFixture.decode(VideoResponse.self, response.body).video.id)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.allSatisfy { $0.0 == .accepted }, "\(answers.map(\.0))")
                #expect(Set(answers.compactMap(\.1)).count == 1)
                #expect(try await fixture.store.videos(owner: nil, status: nil, cursor: nil, limit: 10).videos.count == 1)

                // A completion that copied the source and then failed before recording it: the retry records the source.
                let second = try await Self.start(client, key: fixture.alice, size: sample.readableBytes)
                #expect(try await Self.put(try #require(second.url), sample).status == .ok)
                let token = try UploadToken.verify(second.uploadID, secret: fixture.configuration.uploadSecret)
                try await fixture.s3.copy(bucket: fixture.bucket, from: token.key, to: token.sourceKey, size: Int64(sample.readableBytes))
                try await fixture.s3.deleteObject(bucket: fixture.bucket, key: token.key)
                let retried = try await Self.complete(client, key: fixture.alice, uploadID: second.uploadID)
                #expect(retried.status == .accepted)
                let video = try ProducerFixture.decode(VideoResponse.self, retried.body).video
                #expect(video.id == token.id)
                #expect(video.sourceETag == (try await fixture.s3.headObject(bucket: fixture.bucket, key: token.sourceKey)).eTag)

                // The copy is conditional on the object checked: another ETag is refused, nothing is copied.
                let third = try await Self.start(client, key: fixture.alice, size: sample.readableBytes)
                #expect(try await Self.put(try #require(third.url), sample).status == .ok)
                let staged = try UploadToken.verify(third.uploadID, secret: fixture.configuration.uploadSecret)
                let refused = await #expect(throws: S3Error.self) {
                    try await fixture.s3.copy(
                        bucket: fixture.bucket, from: staged.key, to: staged.sourceKey, size: Int64(sample.readableBytes),
                        ifMatch: "0123456789abcdef0123456789abcdef")
                }
                #expect(refused?.code == .preconditionFailed)
                #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: staged.sourceKey) == nil)
            }
        }
    }

    @Test func aMultipartDirectUploadIsAssembledFromItsParts() async throws {
        let fixture = try await ProducerFixture { $0.directSinglePutLimit = 1 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            var bytes = [UInt8](repeating: 0, count: 9 << 20)
            let header: [UInt8] = [0, 0, 0, 0x18] + Array("ftypmp42".utf8)
            bytes.replaceSubrange(0..<header.count, with: header)
            let data = bytes
            try await fixture.withClient { client in
                let started = try await Self.start(client, key: fixture.alice, size: data.count)
                let parts = try #require(started.parts)
                let partSize = Int(try #require(started.partSize))
                #expect(parts.count == 2)
                // A part URL signs its part's size: a larger or smaller body is refused.
                #expect(try await Self.put(parts[0].url, ByteBuffer(bytes: data[0..<100])).status == .forbidden)
                // Completing before every part is there names what is missing.
                let first = try await Self.put(parts[0].url, ByteBuffer(bytes: data[0..<partSize]))
                #expect(first.status == .ok)
                let early = try await Self.complete(client, key: fixture.alice, uploadID: started.uploadID)
                #expect(early.status == .badRequest)
                #expect(ProducerFixture.errorCode(early.body) == "incomplete_upload")
                #expect(try await Self.put(parts[1].url, ByteBuffer(bytes: data[partSize...])).status == .ok)
                let done = try await Self.complete(client, key: fixture.alice, uploadID: started.uploadID)
                #expect(done.status == .accepted)
                let video = try ProducerFixture.decode(VideoResponse.self, done.body).video
                #expect(try await fixture.s3.headObject(bucket: fixture.bucket, key: video.sourceKey).contentLength == Int64(data.count))
            }
        }
    }

    @Test func wrongSizesAndNonVideosAreDeletedAndBadRequestsRefused() async throws {
        let fixture = try await ProducerFixture { $0.maximumUploadBytes = 1 << 20 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                let sized = try await Self.start(client, key: fixture.alice, size: 5_000)
                // The URL signs the declared size: S3 refuses another, and nothing is there to complete.
                #expect(try await Self.put(try #require(sized.url), SampleVideo.mp4.getSlice(at: 0, length: 4_000) ?? ByteBuffer()).status == .forbidden)
                let mismatch = try await Self.complete(client, key: fixture.alice, uploadID: sized.uploadID)
                #expect(ProducerFixture.errorCode(mismatch.body) == "incomplete_upload")
                let text = ByteBuffer(string: String(repeating: "not a video ", count: 100))
                let fake = try await Self.start(client, key: fixture.alice, size: text.readableBytes)
                #expect(try await Self.put(try #require(fake.url), text).status == .ok)
                #expect(try await Self.complete(client, key: fixture.alice, uploadID: fake.uploadID).status == .unsupportedMediaType)
                let nothing = try await Self.start(client, key: fixture.alice, size: 10)
                #expect(ProducerFixture.errorCode(try await Self.complete(client, key: fixture.alice, uploadID: nothing.uploadID).body) == "incomplete_upload")
                for body in [#"{"size": 0}"#, #"{"size": -5}"#, #"{"title": "no size"}"#, "not json", #"{"size": 1, "jobs": ["evil"]}"#] {
                    try await client.execute(
                        uri: "/v1/uploads", method: .post, headers: [.authorization: "Bearer \(fixture.alice)", .contentType: "application/json"],
                        body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .badRequest, "\(body)")
                    }
                }
                try await client.execute(
                    uri: "/v1/uploads", method: .post, headers: [.authorization: "Bearer \(fixture.alice)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"size": 99999999999}"#)
                ) { response in
                    #expect(response.status == .contentTooLarge)
                }
            }
            #expect(try await fixture.sourceObjects().isEmpty)
        }
    }

    @Test func anExpiredTokenIsGone() throws {
        let secret = [UInt8](repeating: 7, count: 32)
        let token = UploadToken(
            id: UUID(), owner: "alice", title: "t", filename: nil, jobs: [], size: 1, multipartUploadID: nil, partCount: nil,
            expires: Int64(Date().timeIntervalSince1970) - 1)
        let signed = try token.signed(with: secret)
        #expect(throws: APIError.self) { try UploadToken.verify(signed, secret: secret) }
        #expect((try? UploadToken.verify(signed, secret: secret, now: Date(timeIntervalSince1970: 0))) == token)
        #expect((try? UploadToken.verify(signed, secret: [UInt8](repeating: 8, count: 32), now: Date(timeIntervalSince1970: 0))) == nil)
    }

    @Test func theOrphanSweeperRemovesUnrecordedSourcesAndStaleUploadsOnly() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let recorded = try await VideoAccessTests.record(fixture, owner: "alice")
            let orphanKey = "sources/\(UUID().uuidString.lowercased())/source"
            try await fixture.s3.putObject(SampleVideo.mp4, bucket: fixture.bucket, key: orphanKey)
            let staleUpload = try await fixture.s3.createMultipartUpload(bucket: fixture.bucket, key: "sources/\(UUID().uuidString.lowercased())/source")
            // Outputs of a video that no longer exists, a recorded video's outputs, a forgotten staging object.
            let deletedOutputs = "outputs/\(UUID().uuidString.lowercased())/transcode/720p.mp4"
            let keptOutputs = "outputs/\(recorded.id.uuidString.lowercased())/transcode/720p.mp4"
            let staging = "uploads/\(UUID().uuidString.lowercased())/staging"
            for key in [deletedOutputs, keptOutputs, staging] { try await fixture.s3.putObject(SampleVideo.mp4, bucket: fixture.bucket, key: key) }
            let sweeper = OrphanSweeper(
                store: fixture.store, s3: fixture.s3, bucket: fixture.bucket, age: .seconds(3600), interval: .seconds(600),
                logger: .init(label: "test"))
            #expect(try await sweeper.sweep() == 0)  // nothing is old enough yet
            let removed = try await sweeper.sweep(now: Date().addingTimeInterval(7200))
            #expect(removed == 4)
            #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: orphanKey) == nil)
            #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: deletedOutputs) == nil)
            #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: staging) == nil)
            #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: keptOutputs) != nil)
            #expect(try await fixture.s3.objectInfo(bucket: fixture.bucket, key: recorded.sourceKey) != nil)
            #expect(try await fixture.s3.listMultipartUploads(bucket: fixture.bucket).map(\.uploadID).contains(staleUpload) == false)
        }
    }
}
