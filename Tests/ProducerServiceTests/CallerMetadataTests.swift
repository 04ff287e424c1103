import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// Caller metadata: a small JSON object stored with the video, returned by the API, carried in webhooks, and refused
/// when it is not an object, too large or too deep.
@Suite struct CallerMetadataTests {
    static let sample = ByteBuffer(bytes: Array(RequestLimitsTests.mp4Head) + [UInt8](repeating: 1, count: 3_000))

    @Test(arguments: ProducerDatabase.allCases)
    func metadataIsStoredReturnedAndCarriedInWebhooks(database: ProducerDatabase) async throws {
        let fixture = try await ProducerFixture(database: database)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let metadata = #"{"customer":"acme","order":42,"tags":["a","é"],"nested":{"ok":true,"none":null}}"#
            try await fixture.withClient { client in
                let id = try await client.execute(
                    uri: "/v1/videos", method: .post,
                    headers: ProducerFixture.headers(key: fixture.alice, extra: [("X-Video-Metadata", metadata)]),
                    body: Self.sample
                ) { response in
                    #expect(response.status == .accepted)
                    return try ProducerFixture.decode(VideoResponse.self, response.body).video.id
                }
                try await client.execute(uri: "/v1/videos/\(id.uuidString)", method: .get, headers: ProducerFixture.headers(key: fixture.alice)) { response in
                    let video = try ProducerFixture.decode(VideoResponse.self, response.body).video
                    #expect(video.metadata?["customer"] == .string("acme"))
                    #expect(video.metadata?["order"] == .number(42))
                    #expect(video.metadata?["tags"] == .array([.string("a"), .string("é")]))
                    #expect(video.metadata?["nested"] == .object(["ok": .bool(true), "none": .null]))
                }
                // Direct uploads carry it from the start request to the record.
                try await client.execute(
                    uri: "/v1/uploads", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "application/json"),
                    body: ByteBuffer(string: #"{"size": 1000, "metadata": {"customer": "acme"}}"#)
                ) { response in
                    #expect(response.status == .created)
                }
                // The queue message does not carry it.
                let record = try #require(try await fixture.store.video(id: id, owner: nil))
                #expect(try QueueMessage(video: record).encodedString().contains("acme") == false)
                #expect(record.metadata?["customer"] == .string("acme"))
            }
        }
    }

    @Test func metadataThatIsNotASmallObjectIsRefused() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let deep = String(repeating: #"{"a":"#, count: 20) + "1" + String(repeating: "}", count: 20)
            let large = #"{"a":""# + String(repeating: "x", count: 5000) + #""}"#
            try await fixture.withClient { client in
                for bad in ["[1,2]", "\"text\"", "42", "{", deep, large, "{\"a\":1}x"] {
                    try await client.execute(
                        uri: "/v1/videos", method: .post,
                        headers: ProducerFixture.headers(key: fixture.alice, extra: [("X-Video-Metadata", bad)]),
                        body: Self.sample
                    ) { response in
                        #expect(response.status == .badRequest, "\(bad.prefix(30))")
                        #expect(ProducerFixture.errorCode(response.body) == "invalid_metadata")
                    }
                }
                try await client.execute(
                    uri: "/v1/uploads", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "application/json"),
                    body: ByteBuffer(string: #"{"size": 1000, "metadata": "# + deep + "}")
                ) { response in
                    #expect(response.status == .badRequest)
                }
            }
            try await fixture.expectNothingLeft()
        }
    }
}
