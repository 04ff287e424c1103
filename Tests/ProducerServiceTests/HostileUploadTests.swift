import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import ProducerService

/// Uploads built to make the producer spend memory or time, over real sockets: each is refused with its code,
/// the connection closed, and nothing left in S3 or the database.
@Suite(.serialized)
struct HostileUploadTests {
    static let boundary = "vqhostile"

    static func requestHead(
        key: String, contentType: String = "multipart/form-data; boundary=\(boundary)", chunked: Bool = true,
        length: Int? = nil
    ) -> String {
        var head = "POST /v1/videos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\nContent-Type: \(contentType)\r\n"
        if chunked { head += "Transfer-Encoding: chunked\r\n" }
        if let length { head += "Content-Length: \(length)\r\n" }
        return head + "\r\n"
    }

    static func chunk(_ data: Data) -> Data {
        Data(String(data.count, radix: 16).utf8) + Data("\r\n".utf8) + data + Data("\r\n".utf8)
    }

    /// Streams `prefix` and then `filler` chunks (chunked, no Content-Length) until the server answers or closes,
    /// at most `limit` bytes; returns the connection.
    static func stream(port: Int, key: String, prefix: String, filler: Data, limit: Int) -> RawTCPClient? {
        guard let client = try? RawTCPClient(port: port) else { return nil }
        guard client.send(requestHead(key: key)), client.send(chunk(Data(prefix.utf8))) else { return client }
        let piece = chunk(filler)
        while client.sent < limit, !client.hasAnswer() {
            guard client.send(piece) else { break }
        }
        return client
    }

    @Test func refusalsBeforeTheBodyCloseTheConnectionInsteadOfReadingAnEndlessBody() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                let port = try #require(client.port)
                // No key, a bad key, an unknown route, a wrong method: each answered, none reads the endless body.
                for (path, key, method, status) in [
                    ("/v1/videos", "", "POST", 401), ("/v1/videos", "vq_wrong", "POST", 401),
                    ("/v1/nothing-here", fixture.alice, "POST", 404), ("/v1/queue", fixture.alice, "PUT", 404),
                ] {
                    let connection = try RawTCPClient(port: port)
                    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n"
                    if !key.isEmpty { head += "Authorization: Bearer \(key)\r\n" }
                    connection.send(head + "\r\n")
                    let piece = Self.chunk(Data(repeating: 7, count: 64 * 1024))
                    let closed = try await offPool { () -> Bool in
                        // Keep sending (at most 64 MiB) until the server answers; then it must close.
                        while connection.sent < 64 << 20, !connection.hasAnswer() { guard connection.send(piece) else { break } }
                        return connection.readUntilClosed(timeout: .seconds(10))
                    }
                    #expect(closed, "\(method) \(path)")
                    #expect(connection.status == status, "\(method) \(path)")
                    #expect(connection.sent < 64 << 20, "answered before the body's end")
                }
            }
        }
    }

    @Test func aPartHeaderThatNeverEndsIsRefusedAndTheConnectionClosed() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let key = fixture.alice
            try await fixture.withClient { client in
                let port = try #require(client.port)
                let prefix = "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\nX-Endless: "
                let connection = try #require(
                    Self.stream(
                        port: port, key: key, prefix: prefix, filler: Data(repeating: 0x61, count: 16 << 10),
                        limit: 64 << 20))
                #expect(try await offPool { connection.readUntilClosed() }, "the producer closes the connection")
                #expect(connection.status == 400)
                #expect(connection.text.contains("header_too_large"))
                // Refused within the first few reads, not after the whole 64 MiB.
                #expect(connection.sent < 16 << 20)
            }
            try await fixture.expectNothingLeft()
        }
    }

    @Test func fieldsBeyondTheLimitsAreRefusedWithTheirCodes() async throws {
        // (Sent with a Content-Length: the rest of a short refused body is read, and the connection serves the next.)
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let many = (0..<20_000).map {
                "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"f\($0)\"\r\n\r\n\(String(repeating: "x", count: 16))\r\n"
            }
            .joined()
            let large = "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"big\"\r\n\r\n" + String(repeating: "x", count: 300_000) + "\r\n"
            let file =
                "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n\r\n\u{0}\u{0}\u{0}\u{18}ftypmp42"
                + String(repeating: "v", count: 2000) + "\r\n"
            let afterFile = file + "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"jobs\"\r\n\r\nhls\r\n--\(Self.boundary)--\r\n"
            // The 20,000 fields (1.4 MB) last: a refused body that long closes the connection.
            let cases = [
                (large + file + "--\(Self.boundary)--\r\n", "fields_too_large"), (afterFile, "trailing_content"),
                (many + file + "--\(Self.boundary)--\r\n", "too_many_fields"),
            ]
            let key = fixture.alice
            try await fixture.withClient { client in
                for (body, code) in cases {
                    try await client.execute(
                        uri: "/v1/videos", method: .post,
                        headers: ProducerFixture.headers(key: key, contentType: "multipart/form-data; boundary=\(Self.boundary)"),
                        body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .badRequest, "\(code)")
                        #expect(ProducerFixture.errorCode(response.body) == code)
                    }
                }
            }
            try await fixture.expectNothingLeft()
        }
    }

    @Test func everyByteOfAMultipartBodyCountsTowardTheUploadLimit() async throws {
        let fixture = try await ProducerFixture { $0.maximumUploadBytes = 8_000 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            // A 2 kB file behind 7 kB of fields: the file alone is under the limit, the body is not.
            let fields = (0..<7).map {
                "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"f\($0)\"\r\n\r\n\(String(repeating: "x", count: 1000))\r\n"
            }
            .joined()
            let body =
                fields + "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n\r\n\u{0}\u{0}\u{0}\u{18}ftypmp42"
                + String(repeating: "v", count: 2000) + "\r\n--\(Self.boundary)--\r\n"
            let key = fixture.alice
            try await fixture.withClient { client in
                let port = try #require(client.port)
                // Chunked, so no Content-Length announces the size.
                let connection = try RawTCPClient(port: port)
                connection.send(Self.requestHead(key: key))
                connection.send(Self.chunk(Data(body.utf8)))
                connection.send("0\r\n\r\n")
                #expect(try await offPool { connection.readUntilClosed(timeout: .seconds(30)) })
                #expect(connection.status == 413)
                #expect(connection.text.contains("payload_too_large"))
            }
            try await fixture.expectNothingLeft()
        }
    }

    @Test func anOversizedRawUploadClosesTheConnectionInsteadOfReadingTheRest() async throws {
        let fixture = try await ProducerFixture { $0.maximumUploadBytes = 100_000 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let key = fixture.alice
            try await fixture.withClient { client in
                let port = try #require(client.port)
                let connection = try RawTCPClient(port: port)
                connection.send(Self.requestHead(key: key, contentType: "video/mp4"))
                connection.send(Self.chunk(Data([0, 0, 0, 0x18] + Array("ftypmp42".utf8))))
                let filler = Self.chunk(Data(repeating: 7, count: 16 << 10))
                while connection.sent < 256 << 20, !connection.hasAnswer() {
                    guard connection.send(filler) else { break }
                }
                #expect(try await offPool { connection.readUntilClosed() })
                #expect(connection.status == 413)
                #expect(connection.sent < 64 << 20)
            }
            try await fixture.expectNothingLeft()
        }
    }
}

/// Titles that would display other than they read, or hold more than a title should.
struct TitleTests {
    @Test func formatCharactersAreDroppedAndLongTitlesRefused() throws {
        let configuration = ProducerConfiguration(bucket: "b", queueURL: "http://127.0.0.1/q")
        var upload = VideoIngestor.Upload(owner: "a", title: "  abc\u{202E}gpj.exe\u{200B} ", filename: nil, jobs: [])
        try VideoRoutes.validate(&upload, configuration: configuration)
        #expect(upload.title == "abcgpj.exe")
        upload.title = String(repeating: "é", count: 501)  // 1,002 bytes
        #expect(throws: APIError.self) { try VideoRoutes.validate(&upload, configuration: configuration) }
        upload.title = "a\u{0}b"
        #expect(throws: APIError.self) { try VideoRoutes.validate(&upload, configuration: configuration) }
        upload.title = "\u{2066}\u{2069}"
        upload.filename = "clip.mp4"
        try VideoRoutes.validate(&upload, configuration: configuration)
        #expect(upload.title == "clip.mp4")
    }
}

/// The outbox on a FIFO queue: a group per video and a deduplication id per outbox entry.
struct FIFOOutboxTests {
    @Test func anUploadIsQueuedOnAFIFOQueue() async throws {
        let fixture = try await ProducerFixture(fifo: true)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let alice = fixture.alice
            let video = try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: alice), body: SampleVideo.mp4) { response in
                    #expect(response.status == .accepted)
                    return try ProducerFixture.decode(VideoResponse.self, response.body).video
                }
            }
            #expect(try await ProducerFixture.eventually { try await fixture.store.video(id: video.id, owner: nil)?.status == .queued })
            let received = try await fixture.sqs.receive(from: fixture.queueURL, maximumMessages: 10, waitTime: 2)
            #expect(received.count == 1)
        }
    }
}
