import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
import VideoCore

@testable import ProducerService

/// `Idempotency-Key` on the upload routes, over real sockets: a retried request gets the first result, not a
/// second video.
@Suite struct IdempotencyTests {
    static let sample = ByteBuffer(bytes: Array(RequestLimitsTests.mp4Head) + [UInt8](repeating: 1, count: 3_000))

    static func headers(_ fixture: ProducerFixture, key: String?, contentType: String = "video/mp4") -> HTTPFields {
        ProducerFixture.headers(key: fixture.alice, contentType: contentType, extra: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    @Test(arguments: ProducerDatabase.allCases)
    func aRetriedUploadAnswersTheSameVideo(database: ProducerDatabase) async throws {
        let fixture = try await ProducerFixture(database: database)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                var ids: [String] = []
                for _ in 0..<3 {
                    try await client.execute(
                        uri: "/v1/videos?title=once", method: .post, headers: Self.headers(fixture, key: "retry-1"),
                        body: Self.sample
                    ) { response in
                        #expect(response.status == .accepted)
                        let video = try ProducerFixture.decode(VideoResponse.self, response.body).video
                        ids.append(video.id.uuidString)
                        #expect(response.headers[.location] == "/v1/videos/\(video.id.uuidString.lowercased())")
                    }
                }
                #expect(Set(ids).count == 1)
                // The same key on another request is refused; another key makes another video.
                try await client.execute(
                    uri: "/v1/videos?title=different", method: .post, headers: Self.headers(fixture, key: "retry-1"),
                    body: Self.sample
                ) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(ProducerFixture.errorCode(response.body) == "idempotency_key_reused")
                }
                // So is another file under the same key and settings: the body's length and declared checksum count.
                var other = Self.sample
                other.writeBytes([1, 2, 3])
                try await client.execute(
                    uri: "/v1/videos?title=once", method: .post, headers: Self.headers(fixture, key: "retry-1"),
                    body: other
                ) { response in
                    #expect(response.status == .unprocessableContent)
                }
                var checksummed = Self.headers(fixture, key: "retry-1")
                checksummed[try #require(HTTPField.Name("Content-SHA256"))] = String(repeating: "0", count: 64)
                try await client.execute(uri: "/v1/videos?title=once", method: .post, headers: checksummed, body: Self.sample) { response in
                    #expect(response.status == .unprocessableContent)
                }
                try await client.execute(
                    uri: "/v1/videos?title=once", method: .post, headers: Self.headers(fixture, key: "retry-2"),
                    body: Self.sample
                ) { response in
                    #expect(response.status == .accepted)
                }
            }
            #expect(try await fixture.store.videos(owner: nil, status: nil, cursor: nil, limit: 10).videos.count == 2)
            #expect(try await fixture.sourceObjects().count == 2)
        }
    }

    @Test func aRefusedFirstRequestDoesNotHoldItsKey() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(
                    uri: "/v1/videos", method: .post, headers: Self.headers(fixture, key: "k"),
                    body: ByteBuffer(string: "not a video at all, just text")
                ) { response in
                    #expect(response.status == .unsupportedMediaType)
                }
                try await client.execute(uri: "/v1/videos", method: .post, headers: Self.headers(fixture, key: "k"), body: Self.sample) { response in
                    #expect(response.status == .accepted, "the retry runs")
                }
                for bad in [String(repeating: "k", count: 256), "has space", "tab\there", "é"] {
                    try await client.execute(uri: "/v1/videos", method: .post, headers: Self.headers(fixture, key: bad), body: Self.sample) { response in
                        #expect(response.status == .badRequest, "\(bad.prefix(20))")
                        #expect(ProducerFixture.errorCode(response.body) == "invalid_idempotency_key")
                    }
                }
            }
        }
    }

    @Test func aRetriedDirectUploadStartAnswersTheSameUpload() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                var tokens: [String] = []
                for _ in 0..<2 {
                    try await client.execute(
                        uri: "/v1/uploads", method: .post, headers: Self.headers(fixture, key: "start-1", contentType: "application/json"),
                        body: ByteBuffer(string: #"{"size": 1000, "title": "direct"}"#)
                    ) { response in
                        #expect(response.status == .created)
                        let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                        tokens.append(json?["uploadID"] as? String ?? "")
                    }
                }
                #expect(tokens.count == 2 && tokens[0] == tokens[1] && !tokens[0].isEmpty)
                try await client.execute(
                    uri: "/v1/uploads", method: .post, headers: Self.headers(fixture, key: "start-1", contentType: "application/json"),
                    body: ByteBuffer(string: #"{"size": 2000, "title": "direct"}"#)
                ) { response in
                    #expect(response.status == .unprocessableContent)
                }
            }
        }
    }
}
