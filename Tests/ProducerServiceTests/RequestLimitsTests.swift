import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import NIOCore
import ServiceSupport
import Synchronization
import TestSupport
import Testing
import VideoCore

@testable import ProducerService

/// The per-caller and per-process bounds, over real sockets: concurrent uploads and streams, rate limits shared
/// across routes, bad keys, idle connections and slow request heads, WebSocket floods.
@Suite(.serialized)
struct RequestLimitsTests {
    static let mp4Head = Data([0, 0, 0, 0x18] + Array("ftypmp42".utf8))

    @Test func concurrentUploadsAreCappedPerKeyWhileOtherKeysAreServed() async throws {
        let fixture = try await ProducerFixture { $0.maximumConcurrentUploadsPerKey = 1 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let (alice, bob) = (fixture.alice, fixture.bob)
            let sample = ByteBuffer(bytes: Array(Self.mp4Head) + [UInt8](repeating: 1, count: 3_000))
            try await fixture.withClient { client in
                let port = try #require(client.port)
                // Two uploads of Alice's that stay open (chunked bodies that have not ended): whichever the server takes
                // second is refused at once, without its body being read.
                let uploads = try [RawTCPClient(port: port), RawTCPClient(port: port)]
                for upload in uploads {
                    upload.send(HostileUploadTests.requestHead(key: alice, contentType: "video/mp4"))
                    upload.send(HostileUploadTests.chunk(Self.mp4Head + Data(repeating: 2, count: 1000)))
                }
                let answered = try await offPool { () -> Int? in
                    let deadline = ContinuousClock.now + .seconds(20)
                    while ContinuousClock.now < deadline {
                        if let index = uploads.firstIndex(where: { $0.hasAnswer() }) { return index }
                        Thread.sleep(forTimeInterval: 0.02)
                    }
                    return nil
                }
                let refusedIndex = try #require(answered, "one of two concurrent uploads of the same key is refused")
                let (refused, held) = (uploads[refusedIndex], uploads[1 - refusedIndex])
                #expect(try await offPool { refused.readUntilClosed(timeout: .seconds(10)) })
                #expect(refused.status == 429)
                #expect(refused.text.contains("too_many_uploads") && refused.text.lowercased().contains("retry-after"))
                #expect(!held.hasAnswer(), "the first upload goes on")
                try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: bob), body: sample) { response in
                    #expect(response.status == .accepted, "another key is served")
                }
                // Once the first upload ends, the key may upload again.
                held.send("0\r\n\r\n")
                let accepted = try await ProducerFixture.eventually(timeout: .seconds(20)) {
                    try await client.execute(uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: alice), body: sample) { response in
                        response.status == .accepted
                    }
                }
                #expect(accepted)
            }
        }
    }

    @Test func bothUploadRoutesDrawFromOneBudgetAndControlRequestsHaveTheirOwn() async throws {
        let fixture = try await ProducerFixture {
            $0.uploadsPerMinute = 2
            $0.controlRequestsPerMinute = 1
        }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let alice = fixture.alice
            let video = try await VideoAccessTests.record(fixture, owner: "alice")
            try await fixture.withClient { client in
                for _ in 0..<2 {
                    try await client.execute(
                        uri: "/v1/uploads", method: .post, headers: ProducerFixture.headers(key: alice, contentType: "application/json"),
                        body: ByteBuffer(string: #"{"size": 1000}"#)
                    ) { response in
                        #expect(response.status == .created)
                    }
                }
                try await client.execute(
                    uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: alice),
                    body: ByteBuffer(bytes: Array(Self.mp4Head) + [UInt8](repeating: 1, count: 100))
                ) { response in
                    #expect(response.status == .tooManyRequests)
                    #expect(ProducerFixture.errorCode(response.body) == "rate_limited")
                    #expect(response.headers[.retryAfter].flatMap(Int.init) ?? 0 >= 1)
                }
                try await client.execute(uri: "/v1/videos/\(video.id.uuidString)/retry", method: .post, headers: ProducerFixture.headers(key: alice)) {
                    response in
                    #expect(response.status == .conflict, "the first control request is served (the video is not failed)")
                }
                try await client.execute(uri: "/v1/videos/\(video.id.uuidString)", method: .delete, headers: ProducerFixture.headers(key: alice)) { response in
                    #expect(response.status == .tooManyRequests, "the second is limited")
                }
            }
        }
    }

    @Test func repeatedBadKeysFromOneAddressAreRefusedWithoutLookingThemUp() async throws {
        let fixture = try await ProducerFixture { $0.authFailuresPerMinute = 3 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                // Alice authenticates once before the flood; Bob never does.
                try await client.execute(uri: "/v1/videos", method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) { response in
                    #expect(response.status == .ok)
                }
                for attempt in 0..<5 {
                    try await client.execute(uri: "/v1/videos", method: .get, headers: [.authorization: "Bearer wrong-\(attempt)"]) { response in
                        #expect(response.status == (attempt < 3 ? .unauthorized : .tooManyRequests), "attempt \(attempt)")
                    }
                }
                // The address is over its budget: a key seen in the last minute still works (an attacker behind the same
                // proxy or NAT cannot lock its neighbours out); /readyz's key is counted too and answers the public view.
                try await client.execute(uri: "/v1/videos", method: .get, headers: [.authorization: "Bearer \(fixture.alice)"]) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/v1/videos", method: .get, headers: [.authorization: "Bearer \(fixture.bob)"]) { response in
                    #expect(response.status == .tooManyRequests)
                    #expect(response.headers[.retryAfter] != nil)
                }
                try await client.execute(uri: "/readyz", method: .get, headers: [.authorization: "Bearer wrong-again"]) { response in
                    #expect(response.status == .ok || response.status == .serviceUnavailable)
                }
            }
        }
    }

    @Test func streamsAreCappedPerKeyAndOneVideoIsPolledOnceForAllItsStreams() async throws {
        let fixture = try await ProducerFixture {
            $0.maximumStreamsPerKey = 3
            $0.eventKeepAlive = .milliseconds(500)
        }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let video = try await VideoAccessTests.record(fixture, owner: "alice")
            let application = fixture.application()
            let alice = fixture.alice
            try await application.application().test(.live) { client in
                let port = try #require(client.port)
                var streams: [RawTCPClient] = []
                for _ in 0..<3 {
                    let stream = try RawTCPClient(port: port)
                    stream.send("GET /v1/videos/\(video.id.uuidString)/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(alice)\r\n\r\n")
                    streams.append(stream)
                }
                #expect(try await ProducerFixture.eventually { streams.allSatisfy { $0.hasAnswer() } })
                #expect(application.hub.pollers == 1, "three streams of one video share one poller")
                try await client.execute(uri: "/v1/videos/\(video.id.uuidString)/events", method: .get, headers: ProducerFixture.headers(key: alice)) {
                    response in
                    #expect(response.status == .tooManyRequests)
                    #expect(ProducerFixture.errorCode(response.body) == "too_many_streams")
                }
                streams.removeAll()  // closes them: their places come back
                let served = try await ProducerFixture.eventually {
                    let stream = try RawTCPClient(port: port)
                    stream.send("GET /v1/videos/\(video.id.uuidString)/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(alice)\r\n\r\n")
                    _ = try await ProducerFixture.eventually(timeout: .seconds(2)) { stream.hasAnswer() }
                    return stream.readAvailable().contains("200 OK")
                }
                #expect(served)
                #expect(try await ProducerFixture.eventually { application.hub.pollers <= 1 })
            }
        }
    }

    @Test func idleConnectionsAndSlowRequestHeadsAreClosed() async throws {
        let fixture = try await ProducerFixture {
            $0.idleTimeout = .seconds(1)
            $0.requestHeadTimeout = .seconds(2)
        }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                let port = try #require(client.port)
                let idle = try RawTCPClient(port: port)
                #expect(try await offPool { idle.readUntilClosed(timeout: .seconds(5)) }, "a silent connection is closed")
                // A head trickled a byte every 0.5 s is never idle for a second, but is cut at the head timeout.
                let slow = try RawTCPClient(port: port)
                let start = ContinuousClock.now
                for byte in "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaa".utf8 {
                    guard slow.send(Data([byte])) else { break }
                    try await Task.sleep(for: .milliseconds(500))
                    if ContinuousClock.now - start > .seconds(8) { break }
                }
                #expect(ContinuousClock.now - start < .seconds(6), "the connection was closed while the head trickled in")
                // An ordinary request on a fresh connection is served.
                let fresh = try RawTCPClient(port: port)
                fresh.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                #expect(try await offPool { fresh.readUntilClosed() })
                #expect(fresh.status == 200)
            }
        }
    }

    @Test func trickledBodiesAreRefusedAtTheirPaceAndTheirConnectionsClosed() async throws {
        let fixture = try await ProducerFixture {
            $0.minimumBodyBytesPerSecond = 1000
            $0.bodyPaceWindow = .seconds(1)
        }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                let port = try #require(client.port)
                // An upload and a JSON request, each sending its head at once and then a byte every 100 ms: never idle,
                // far below 1000 bytes per second of waiting.
                for (path, type, length) in [("/v1/videos", "video/mp4", 100_000), ("/v1/uploads", "application/json", 2_000)] {
                    let slow = try RawTCPClient(port: port)
                    slow.send(
                        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(fixture.alice)\r\n"
                            + "Content-Type: \(type)\r\nContent-Length: \(length)\r\n\r\n")
                    let start = ContinuousClock.now
                    while !slow.hasAnswer(), ContinuousClock.now - start < .seconds(20) {
                        guard slow.send("{") else { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(ContinuousClock.now - start < .seconds(15), "\(path): refused while the body trickled")
                    #expect(try await offPool { slow.readUntilClosed() }, "\(path): the connection is closed")
                    #expect(slow.status == 408, "\(path)")
                }
                // Nothing was recorded; a body at an ordinary pace is served.
                try await client.execute(uri: "/v1/videos", method: .get, headers: ProducerFixture.headers(key: fixture.alice)) { response in
                    #expect(response.status == .ok)
                    #expect(!String(buffer: response.body).contains("\"id\""))
                }
                try await client.execute(
                    uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice),
                    body: IdempotencyTests.sample
                ) { response in
                    #expect(response.status == .accepted)
                }
            }
        }
    }

    @Test func aWebSocketFloodIsAnsweredSparinglyThenDisconnected() async throws {
        let fixture = try await ProducerFixture { $0.webSocketMessagesPerSecond = 2 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let video = try await VideoAccessTests.record(fixture, owner: "alice")
            let received = Mutex<[String]>([])
            try await fixture.withClient { client in
                var configuration = WebSocketClientConfiguration()
                configuration.additionalHeaders = [.authorization: "Bearer \(fixture.alice)"]
                _ = try await client.ws("/v1/videos/\(video.id.uuidString)/ws", configuration: configuration) { inbound, outbound, _ in
                    for _ in 0..<200 {
                        do { try await outbound.write(.text(#"{"type":"ping"}"#)) } catch { break }
                    }
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        if case .text(let text) = message { received.withLock { $0.append(text) } }
                    }
                }
            }
            let messages = received.withLock { $0 }
            let pongs = messages.filter { $0 == #"{"type":"pong"}"# }.count
            let refusals = messages.filter { $0.contains("rate_limited") }.count
            #expect(pongs <= 5, "the burst (twice the rate) is answered, not the flood: \(pongs) pongs")
            #expect(refusals >= 1 && refusals <= 3, "refusals are answered at most once a second: \(refusals)")
            #expect(messages.count < 20)
        }
    }

    @Test func failedAuthenticationsCountAgainstTheForwardedClientOnlyBehindATrustedProxyAndByIPv6Slash64() throws {
        let proxies = try IPNetwork.list("10.0.0.0/8, 2001:db8::1", setting: "VIDEOQUEUE_TRUSTED_PROXIES")
        func key(_ peer: String, _ forwarded: String?) throws -> String {
            var headers = HTTPFields()
            if let forwarded, let name = HTTPField.Name("X-Forwarded-For") { headers[name] = forwarded }
            return ClientAddress.key(peer: try SocketAddress(ipAddress: peer, port: 443), headers: headers, trustedProxies: proxies)
        }
        // Behind a trusted proxy: the right-most hop that is not a proxy; what the client wrote to its left is ignored.
        #expect(try key("10.1.2.3", "6.6.6.6, 203.0.113.9") == "203.0.113.9")
        #expect(try key("10.1.2.3", "203.0.113.9, 10.9.9.9") == "203.0.113.9")
        #expect(try key("10.1.2.3", "not-an-address") == "10.1.2.3")
        // Not a trusted peer: the header is the client's to forge and is ignored.
        #expect(try key("198.51.100.7", "203.0.113.9") == "198.51.100.7")
        // IPv6 clients count by their /64.
        #expect(try key("2001:db8:1:2:aaaa::1", nil) == key("2001:db8:1:2:bbbb::2", nil))
        #expect(try key("2001:db8:1:2::1", nil) != key("2001:db8:1:3::1", nil))
        #expect(try key("2001:db8::1", "2001:db8:5:5::9") == key("2001:db8:5:5::1", nil))
        #expect(throws: ConfigurationError.self) { try IPNetwork.list("10.0.0.0/33", setting: "X") }
        #expect(throws: ConfigurationError.self) { try IPNetwork.list("proxy.internal", setting: "X") }
        #expect(IPNetwork("10.0.0.0/8")?.contains("::ffff:10.1.1.1") == true)
        #expect(IPNetwork("10.0.0.0/8")?.contains("11.0.0.1") == false)
    }
}
