import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// Signed webhooks end to end: endpoints through the API, deliveries written by status changes and sent by the
/// producer's dispatcher to real receivers (FakeHTTPServer) whose signatures are checked by an independent
/// implementation (Python's hmac), with failing, slow and restarted producers.
@Suite(.serialized) struct WebhookTests {
    /// What a receiver got.
    final class Receiver: Sendable {
        final class State: Sendable {
            let requests = Mutex<[FakeHTTPServer.Request]>([])
            /// Answers per request number: status and delay; the last one repeats.
            let script: Mutex<[(HTTPResponseStatus, Duration)]>
            init(script: [(HTTPResponseStatus, Duration)]) { self.script = Mutex(script) }
        }

        let state: State
        let server: FakeHTTPServer

        init(script: [(HTTPResponseStatus, Duration)]) async throws {
            let state = State(script: script)
            self.state = state
            server = try await FakeHTTPServer.start { request in
                let index = state.requests.withLock {
                    $0.append(request)
                    return $0.count - 1
                }
                let (status, delay) = state.script.withLock { $0[min(index, $0.count - 1)] }
                if delay > .zero { try? await Task.sleep(for: delay) }
                return .reply(status)
            }
        }

        var url: String { server.baseURL + "/hook" }
        var received: [FakeHTTPServer.Request] { state.requests.withLock { $0 } }
        func answer(_ script: [(HTTPResponseStatus, Duration)]) {
            let count = received.count
            state.script.withLock { $0 = Array(repeating: script[0], count: count) + script }
        }
    }

    static func fixture(_ configure: (inout ProducerConfiguration) -> Void = { _ in }) async throws -> ProducerFixture {
        try await ProducerFixture {
            $0.webhookAllowPrivateTargets = true
            $0.webhookInterval = .milliseconds(50)
            $0.webhookRetryBase = .milliseconds(100)
            $0.webhookRetryMaximum = .milliseconds(400)
            $0.webhookTimeout = .seconds(1)
            configure(&$0)
        }
    }

    static func register(_ client: any TestClientProtocol, _ fixture: ProducerFixture, url: String, events: [String] = []) async throws
        -> (id: String, secret: String)
    {
        let body = try JSONSerialization.data(withJSONObject: ["url": url, "events": events])
        return try await client.execute(
            uri: "/v1/webhooks", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "application/json"),
            body: ByteBuffer(bytes: body)
        ) { response in
            #expect(response.status == .created)
            let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            let endpoint = json?["endpoint"] as? [String: Any]
            return (endpoint?["id"] as? String ?? "", json?["secret"] as? String ?? "")
        }
    }

    /// Verifies a delivery's `webhook-signature` with Python's hmac: which of `secrets` signed it.
    static func signers(of request: FakeHTTPServer.Request, secrets: [String]) async throws -> [String] {
        let python = ProcessInfo.processInfo.environment["VIDEOQUEUE_PYTHON"] ?? "python3"
        let script = """
            import base64, hashlib, hmac, json, sys
            msg_id, stamp, signatures, body = sys.argv[1], sys.argv[2], sys.argv[3].split(" "), sys.stdin.read()
            for secret in sys.argv[4:]:
                key = base64.b64decode(secret[len("whsec_"):])
                expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.{body}".encode(), hashlib.sha256).digest()).decode()
                if "v1," + expected in signatures: print(secret)
            """
        let arguments =
            [
                python, "-c", script, request.headers["webhook-id"].first ?? "", request.headers["webhook-timestamp"].first ?? "",
                request.headers["webhook-signature"].first ?? "",
            ] + secrets
        return try await runTool(arguments, input: Data(request.body.utf8)).output.split(separator: "\n").map(String.init)
    }

    /// Takes a stored record of alice's through queued → processing → completed.
    static func process(_ fixture: ProducerFixture) async throws -> VideoRecord {
        let record = try await VideoAccessTests.record(fixture, owner: "alice")
        _ = try await fixture.store.markQueued(id: record.id)
        let claimed = try #require(try await fixture.store.claim(id: record.id))
        return try #require(
            try await fixture.store.complete(
                id: record.id, attempt: claimed.attempts,
                outputs: [
                    VideoOutput(kind: "mp4", key: "outputs/\(record.id.uuidString.lowercased())/transcode/720p.mp4", size: 10, contentType: "video/mp4")
                ]))
    }

    @Test func eventsAreDeliveredSignedAndTheSecretIsShownOnce() async throws {
        let fixture = try await Self.fixture()
        let receiver = try await Receiver(script: [(.noContent, .zero)])
        try await withTearDown {
            await fixture.tearDown()
            try? await receiver.server.shutdown()
        } body: {
            try await fixture.withClient { client in
                let (id, secret) = try await Self.register(client, fixture, url: receiver.url)
                #expect(secret.hasPrefix("whsec_"))
                try await client.execute(uri: "/v1/webhooks", method: .get, headers: ProducerFixture.headers(key: fixture.alice)) { response in
                    #expect(String(buffer: response.body).contains(id.uppercased()) || String(buffer: response.body).contains(id))
                    #expect(!String(buffer: response.body).contains(secret), "the secret is shown once")
                }
                let record = try await Self.process(fixture)
                let all = try await ProducerFixture.eventually { receiver.received.count >= 3 }
                #expect(all)
                let types = Set(
                    receiver.received.compactMap { request in
                        (try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])?["type"] as? String
                    })
                #expect(types == ["video.queued", "video.processing", "video.completed"])
                for request in receiver.received {
                    #expect(try await Self.signers(of: request, secrets: [secret]) == [secret], "a valid Standard Webhooks signature")
                    #expect(request.body.contains(record.id.uuidString))
                }
                let completed = try #require(receiver.received.first { $0.body.contains("video.completed") })
                #expect(completed.body.contains("transcode/720p.mp4"), "the outputs and their keys")
                // A tampered body does not verify.
                var tampered = completed
                tampered.body = completed.body.replacingOccurrences(of: "completed", with: "failed")
                #expect(try await Self.signers(of: tampered, secrets: [secret]).isEmpty)
            }
        }
    }

    @Test func aFailingThenSlowReceiverIsRetriedUntilDeliveredAndLogged() async throws {
        let fixture = try await Self.fixture()
        let receiver = try await Receiver(script: [(.internalServerError, .zero), (.ok, .seconds(3)), (.ok, .zero)])
        try await withTearDown {
            await fixture.tearDown()
            try? await receiver.server.shutdown()
        } body: {
            try await fixture.withClient { client in
                let (id, _) = try await Self.register(client, fixture, url: receiver.url, events: ["video.cancelled"])
                let record = try await VideoAccessTests.record(fixture, owner: "alice")
                _ = try await fixture.store.cancel(id: record.id, owner: nil)
                let endpointID = try #require(UUID(uuidString: id))
                let delivered = try await ProducerFixture.eventually(timeout: .seconds(30)) {
                    try await fixture.store.webhookDeliveries(endpointID: endpointID, owner: "alice", limit: 10).first?.status == .delivered
                }
                #expect(delivered)
                // The log as the API shows it.
                let log = try await client.execute(
                    uri: "/v1/webhooks/\(id)/deliveries", method: .get,
                    headers: ProducerFixture.headers(key: fixture.alice)
                ) { response in
                    try ProducerFixture.decode(WebhookRoutes.DeliveryList.self, response.body).deliveries
                }
                #expect(log.count == 1 && log.first?.attempts == 3, "500, then a timeout, then 200")
                #expect(log.first?.lastStatusCode == 200)
                let ids = Set(receiver.received.map { $0.headers["webhook-id"].first ?? "" })
                #expect(ids.count == 1, "the same webhook-id on every attempt")

                // Manual redelivery sends it once more.
                let deliveryID = try #require(log.first?.id)
                try await client.execute(
                    uri: "/v1/webhooks/\(id)/deliveries/\(deliveryID)/redeliver", method: .post,
                    headers: ProducerFixture.headers(key: fixture.alice)
                ) { response in
                    #expect(response.status == .accepted)
                }
                let again = try await ProducerFixture.eventually { receiver.received.count >= 4 }
                #expect(again)
            }
        }
    }

    @Test func pendingDeliveriesSurviveAProducerRestart() async throws {
        let fixture = try await Self.fixture()
        let receiver = try await Receiver(script: [(.serviceUnavailable, .zero)])
        try await withTearDown {
            await fixture.tearDown()
            try? await receiver.server.shutdown()
        } body: {
            let id = try await fixture.withClient { client in
                let (id, _) = try await Self.register(client, fixture, url: receiver.url, events: ["video.completed"])
                _ = try await Self.process(fixture)
                let tried = try await ProducerFixture.eventually { receiver.received.count >= 2 }
                #expect(tried)
                return id
            }
            // The first producer is gone with the delivery pending; the receiver recovers; a new producer sends it.
            receiver.answer([(.ok, .zero)])
            let failedAttempts = receiver.received.count
            let endpointID = try #require(UUID(uuidString: id))
            try await fixture.withClient { _ in
                let delivered = try await ProducerFixture.eventually(timeout: .seconds(30)) {
                    try await fixture.store.webhookDeliveries(endpointID: endpointID, owner: "alice", limit: 10).first?.status == .delivered
                }
                #expect(delivered)
            }
            #expect(receiver.received.count > failedAttempts)
        }
    }

    @Test func rotationSignsWithBothSecretsForADay() async throws {
        let fixture = try await Self.fixture()
        let receiver = try await Receiver(script: [(.ok, .zero)])
        try await withTearDown {
            await fixture.tearDown()
            try? await receiver.server.shutdown()
        } body: {
            try await fixture.withClient { client in
                let (id, old) = try await Self.register(client, fixture, url: receiver.url, events: ["video.cancelled"])
                let new = try await client.execute(uri: "/v1/webhooks/\(id)/rotate", method: .post, headers: ProducerFixture.headers(key: fixture.alice)) {
                    response in
                    #expect(response.status == .ok)
                    return (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?["secret"] as? String ?? ""
                }
                #expect(new.hasPrefix("whsec_") && new != old)
                let record = try await VideoAccessTests.record(fixture, owner: "alice")
                _ = try await fixture.store.cancel(id: record.id, owner: nil)
                let got = try await ProducerFixture.eventually { !receiver.received.isEmpty }
                try #require(got)
                #expect(Set(try await Self.signers(of: receiver.received[0], secrets: [old, new])) == [old, new])
                try await client.execute(uri: "/v1/webhooks/\(id)", method: .delete, headers: ProducerFixture.headers(key: fixture.alice)) { response in
                    #expect(response.status == .noContent)
                }
                try await client.execute(uri: "/v1/webhooks/\(id)", method: .delete, headers: ProducerFixture.headers(key: fixture.bob)) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test func targetsInsideTheNetworkAndBadRequestsAreRefused() async throws {
        let fixture = try await ProducerFixture()  // private targets not allowed: the default
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                for url in [
                    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x",
                    "http://10.1.2.3/x", "http://192.168.0.10/x", "http://172.20.0.1/x", "http://100.64.0.1/x", "http://[fd00::1]/x",
                    "http://[::ffff:127.0.0.1]/x", "http://0.0.0.0/x", "ftp://example.com/x", "not a url", "https://user:pw@example.com/x",
                    "https://" + String(repeating: "a", count: 3000) + ".com/",
                    // Decimal, octal, hex and short forms of 127.0.0.1 (and of a public address: refused all the same).
                    "http://2130706433/x", "http://0177.0.0.1/x", "http://0x7f.0.0.1/x", "http://127.1/x", "http://0x7f000001/x",
                    "https://127.0.0.1./x", "http://0x08080808/x",
                    // IPv6 forms embedding IPv4 or outside global unicast: NAT64, 6to4, Teredo, site-local, compatible,
                    // discard, multicast, documentation; and the IPv4 special ranges.
                    "http://[64:ff9b::a9fe:a9fe]/x", "http://[64:ff9b:1::1]/x", "http://[2002:7f00:1::]/x",
                    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x", "http://[fec0::1]/x", "http://[::127.0.0.1]/x",
                    "http://[::ffff:169.254.169.254]/x", "http://[100::1]/x", "http://[ff02::1]/x", "http://[2001:db8::1]/x",
                    "http://192.0.0.1/x", "http://192.0.2.1/x", "http://198.18.0.1/x", "http://198.51.100.1/x", "http://203.0.113.1/x",
                    "http://224.0.0.1/x", "http://240.0.0.1/x", "http://255.255.255.255/x",
                ] {
                    let body = try JSONSerialization.data(withJSONObject: ["url": url])
                    try await client.execute(
                        uri: "/v1/webhooks", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "application/json"),
                        body: ByteBuffer(bytes: body)
                    ) { response in
                        #expect(response.status == .badRequest, "\(url.prefix(60))")
                        #expect(ProducerFixture.errorCode(response.body) == "webhook_target_not_allowed", "\(url.prefix(60))")
                    }
                }
                for body in [#"{"url": "https://example.com/x", "events": ["video.exploded"]}"#, "{", String(repeating: "x", count: 20_000)] {
                    try await client.execute(
                        uri: "/v1/webhooks", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "application/json"),
                        body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .badRequest)
                    }
                }
            }
            #expect(WebhookTarget.isPublic([8, 8, 8, 8]) && WebhookTarget.isPublic([0x26, 0x06, 0x47, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11]))
        }
    }
}
