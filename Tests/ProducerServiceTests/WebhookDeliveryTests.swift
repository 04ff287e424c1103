import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TestSupport
import Testing
import VideoStore

@testable import ProducerService

/// A receiver that reads a request head and then answers at one byte a second, never finishing: the status line
/// and headers at once and then the body (`body`), or the head itself (`head`). Records when each connection closed.
final class TricklingReceiver: Sendable {
    enum Mode: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case head, body
        var testDescription: String { rawValue }
    }

    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let log: Log

    /// `http://127.0.0.1:<port>/hook`.
    var url: String { "http://127.0.0.1:\(port)/hook" }
    /// Connections accepted.
    var connections: Int { log.state.withLock { $0.connections } }
    /// When connections were closed (by the client: this server never closes one).
    var closed: [ContinuousClock.Instant] { log.state.withLock { $0.closed } }
    /// Bytes of the answer written so far.
    var bytesWritten: Int { log.state.withLock { $0.written } }

    static func start(_ mode: Mode) async throws -> TricklingReceiver {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let log = Log()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                log.state.withLock { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(mode: mode, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await group.shutdownGracefully()
            throw CancellationError()
        }
        return TricklingReceiver(port: port, group: group, channel: channel, log: log)
    }

    private init(port: Int, group: MultiThreadedEventLoopGroup, channel: any Channel, log: Log) {
        self.port = port
        self.group = group
        self.channel = channel
        self.log = log
    }

    func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    private final class Log: Sendable {
        struct State {
            var connections = 0
            var closed: [ContinuousClock.Instant] = []
            var written = 0
        }

        let state = Mutex(State())
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let mode: Mode
        let log: Log
        var received = ""
        var task: RepeatedTask?

        init(mode: Mode, log: Log) {
            self.mode = mode
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readString(length: buffer.readableBytes) ?? ""
            guard task == nil, received.contains("\r\n\r\n") else { return }
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
            let pending: [UInt8]
            switch mode {
            case .body:
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head)), promise: nil)
                log.state.withLock { $0.written += head.utf8.count }
                pending = Array(repeating: UInt8(ascii: "x"), count: 1000)
            case .head:
                pending = Array(head.utf8)
            }
            let channel = context.channel
            let log = log
            let remaining = NIOLoopBoundBox(pending, eventLoop: context.eventLoop)
            task = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                guard !remaining.value.isEmpty else { return }
                let byte = remaining.value.removeFirst()
                log.state.withLock { $0.written += 1 }
                channel.writeAndFlush(ByteBuffer(bytes: [byte]), promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            task?.cancel()
            log.state.withLock { $0.closed.append(.now) }
            context.fireChannelInactive()
        }
    }
}

extension WebhookTests {
    /// Runs `body` with a dispatcher over a store of its own (private targets allowed unless said), then shuts both down.
    static func withDispatcher<T>(
        allowPrivate: Bool = true, timeout: Duration = .seconds(2), resolver: WebhookResolver = .system,
        configure: (inout ProducerConfiguration) -> Void = { _ in },
        _ body: (WebhookDispatcher, WebhookStoreHarness) async throws -> T
    ) async throws -> T {
        let harness = try await WebhookStoreHarness()
        var configuration = ProducerConfiguration(bucket: "b", queueURL: "q")
        configuration.webhookAllowPrivateTargets = allowPrivate
        configuration.webhookTimeout = timeout
        configuration.webhookInterval = .milliseconds(50)
        configuration.webhookRetryBase = .seconds(60)  // no retry within a test
        configure(&configuration)
        let dispatcher = WebhookDispatcher(store: harness.store, configuration: configuration, logger: Logger(label: "test"), resolver: resolver)
        return try await withTearDown {
            await dispatcher.shutdown()
            await harness.tearDown()
        } body: {
            try await body(dispatcher, harness)
        }
    }

    /// The stored state of a delivery.
    static func stored(_ delivery: WebhookDelivery, _ endpoint: WebhookSigningEndpoint, in harness: WebhookStoreHarness) async throws -> WebhookDelivery {
        try #require(
            try await harness.store.webhookDeliveries(endpointID: endpoint.endpoint.id, owner: endpoint.endpoint.owner, limit: 100)
                .first { $0.id == delivery.id })
    }

    @Test(arguments: TricklingReceiver.Mode.allCases)
    func aReceiverThatTricklesItsAnswerIsCutOffAtTheDeadline(_ mode: TricklingReceiver.Mode) async throws {
        let receiver = try await TricklingReceiver.start(mode)
        try await withTearDown {
            await receiver.shutdown()
        } body: {
            try await Self.withDispatcher(timeout: .seconds(2)) { dispatcher, harness in
                let (delivery, endpoint) = try await harness.leasedDelivery(url: receiver.url)
                let clock = ContinuousClock()
                let start = clock.now
                await dispatcher.deliver(delivery, to: endpoint)
                let elapsed = clock.now - start
                #expect(elapsed < .seconds(8), "one deadline of 2 s for the whole answer, not a read timeout per byte (\(elapsed))")
                #expect(elapsed >= .seconds(2) - .milliseconds(100))
                let stored = try await Self.stored(delivery, endpoint, in: harness)
                #expect(stored.status == .pending && stored.attempts == 1, "recorded as a failed attempt, retried later")
                #expect(stored.lastError?.contains("deadline_exceeded") == true, "\(stored.lastError ?? "-")")
                #expect(stored.lastStatusCode == nil)
                #expect(receiver.bytesWritten >= 1, "the receiver had started trickling")
                // The connection is closed, not left to the receiver.
                #expect(try await ProducerFixture.eventually(timeout: .seconds(2)) { !receiver.closed.isEmpty })
                if let closed = receiver.closed.first { #expect(closed - start < .seconds(9)) }
            }
        }
    }

    @Test func aSlowReceiverDoesNotHoldTheOtherDeliveriesOfItsRound() async throws {
        let slow = try await TricklingReceiver.start(.body)
        let fast = try await Receiver(script: [(.noContent, .zero)])
        try await withTearDown {
            await slow.shutdown()
            try? await fast.server.shutdown()
        } body: {
            try await Self.withDispatcher(timeout: .seconds(2)) { dispatcher, harness in
                let store = harness.store
                _ = try await store.createWebhookEndpoint(owner: "carol", url: slow.url, events: [])
                let fastEndpoint = try await store.createWebhookEndpoint(owner: "carol", url: fast.url, events: []).endpoint
                let record = try await harness.record(owner: "carol")
                let clock = ContinuousClock()
                let start = clock.now
                _ = try await store.markQueued(id: record.id)  // one event: a delivery to each endpoint, in one round
                let run = Task { try await dispatcher.run() }
                defer { run.cancel() }
                #expect(try await ProducerFixture.eventually(timeout: .seconds(2)) { fast.received.count >= 1 })
                #expect(clock.now - start < .milliseconds(1_900), "the fast receiver's delivery went out beside the slow one (before its 2 s deadline)")
                // A second event while the slow attempt is still under way: sent once that attempt's deadline ends the round.
                _ = try await store.claim(id: record.id)
                let both = try await ProducerFixture.eventually(timeout: .seconds(6)) {
                    try await store.webhookDeliveries(endpointID: fastEndpoint.id, owner: "carol", limit: 10).filter { $0.status == .delivered }.count == 2
                }
                #expect(both)
                #expect(clock.now - start < .seconds(6), "held by the slow receiver no longer than the deadline, not its 1000 s trickle")
                run.cancel()
                _ = try? await run.value
            }
        }
    }

    @Test(arguments: [HTTPResponseStatus.movedPermanently, .found, .seeOther, .temporaryRedirect, .permanentRedirect])
    func redirectsAreNotFollowed(_ status: HTTPResponseStatus) async throws {
        let inside = try await Receiver(script: [(.ok, .zero)])
        let metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
        let redirecting = Receiver.State(script: [])
        let locations = Mutex<[String]>([inside.url, metadata])
        let server = try await FakeHTTPServer.start { request in
            redirecting.requests.withLock { $0.append(request) }
            let location = locations.withLock { $0.isEmpty ? inside.url : $0.removeFirst() }
            return FakeHTTPServer.Response(status: status, headers: ["Location": location])
        }
        try await withTearDown {
            try? await server.shutdown()
            try? await inside.server.shutdown()
        } body: {
            try await Self.withDispatcher(timeout: .seconds(3)) { dispatcher, harness in
                for target in [inside.url, metadata] {
                    let (delivery, endpoint) = try await harness.leasedDelivery(url: server.baseURL + "/hook")
                    let clock = ContinuousClock()
                    let start = clock.now
                    await dispatcher.deliver(delivery, to: endpoint)
                    #expect(clock.now - start < .milliseconds(2_500), "\(target): no connection to the redirect's target was tried (3 s deadline)")
                    let stored = try await Self.stored(delivery, endpoint, in: harness)
                    #expect(stored.status == .pending && stored.lastStatusCode == Int(status.code), "\(target): the redirect is the answer, a failure")
                    #expect(stored.lastError == "HTTP \(status.code)")
                }
                #expect(redirecting.requests.withLock { $0.count } == 2)
                #expect(inside.received.isEmpty, "the loopback receiver the redirect named got nothing")
            }
        }
    }

    @Test func aNameIsDeliveredToTheAddressItWasCheckedAtWithItsHostHeader() async throws {
        let receiver = try await Receiver(script: [(.noContent, .zero)])
        // `.invalid` never resolves in DNS: the request can only reach the receiver through the checked answer.
        let lookups = ScriptedLookups([["127.0.0.1"]])
        try await withTearDown {
            try? await receiver.server.shutdown()
        } body: {
            try await Self.withDispatcher(resolver: lookups.resolver) { dispatcher, harness in
                let url = "http://receiver.invalid:\(receiver.server.port)/hook?x=1"
                let (delivery, endpoint) = try await harness.leasedDelivery(url: url)
                await dispatcher.deliver(delivery, to: endpoint)
                #expect(try await Self.stored(delivery, endpoint, in: harness).status == .delivered)
                let request = try #require(receiver.received.first)
                #expect(request.headers["Host"] == ["receiver.invalid:\(receiver.server.port)"])
                #expect(request.uri == "/hook?x=1")
                #expect(lookups.hosts == ["receiver.invalid"], "one lookup for the attempt")
            }
        }
    }

    @Test func aDeliveryWhoseHostNeverResolvesIsRecordedAsFailedInBoundedTime() async throws {
        let hanging = HangingLookups()
        try await Self.withDispatcher(resolver: hanging.resolver(timeout: .milliseconds(500))) { dispatcher, harness in
            let (delivery, endpoint) = try await harness.leasedDelivery(url: "https://hangs.example/hook")
            let clock = ContinuousClock()
            let start = clock.now
            await dispatcher.deliver(delivery, to: endpoint)
            #expect(clock.now - start < .seconds(5), "bounded by the 500 ms resolver timeout, not the hang")
            let stored = try await Self.stored(delivery, endpoint, in: harness)
            #expect(stored.status == .pending && stored.attempts == 1)
            #expect(stored.lastError?.contains("resolution_timed_out") == true, "\(stored.lastError ?? "-")")
        }
        hanging.release(1)
    }

    @Test func webhookChangesAreRateLimitedPerOwner() async throws {
        let fixture = try await Self.fixture { $0.controlRequestsPerMinute = 4 }
        let receiver = try await Receiver(script: [(.noContent, .zero)])
        try await withTearDown {
            await fixture.tearDown()
            try? await receiver.server.shutdown()
        } body: {
            try await fixture.withClient { client in
                let alice = ProducerFixture.headers(key: fixture.alice, contentType: "application/json")
                let body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["url": receiver.url]))
                // Four changes spend the budget: create, rotate, redeliver (of nothing: still a request), delete.
                let (id, _) = try await Self.register(client, fixture, url: receiver.url)
                let changes: [(String, HTTPRequest.Method, ByteBuffer?)] = [
                    ("/v1/webhooks", .post, body), ("/v1/webhooks/\(id)/rotate", .post, nil),
                    ("/v1/webhooks/\(id)/deliveries/msg_x/redeliver", .post, nil), ("/v1/webhooks/\(id)", .delete, nil),
                ]
                var statuses: [HTTPResponse.Status] = []
                for (uri, method, body) in changes.dropFirst() {
                    statuses.append(try await client.execute(uri: uri, method: method, headers: alice, body: body) { $0.status })
                }
                #expect(statuses == [.ok, .notFound, .noContent])
                // Each kind of change is refused now.
                for (uri, method, body) in changes {
                    try await client.execute(uri: uri, method: method, headers: alice, body: body) { response in
                        #expect(response.status == .tooManyRequests, "\(method) \(uri)")
                        #expect(ProducerFixture.errorCode(response.body) == "rate_limited")
                        #expect(response.headers[.retryAfter] != nil)
                    }
                }
                // Reading is not a change; another owner has a budget of its own.
                try await client.execute(uri: "/v1/webhooks", method: .get, headers: alice) { #expect($0.status == .ok) }
                try await client.execute(
                    uri: "/v1/webhooks", method: .post, headers: ProducerFixture.headers(key: fixture.bob, contentType: "application/json"),
                    body: body
                ) { #expect($0.status == .created) }
            }
        }
    }

    @Test func webhookChangesDrawFromTheBudgetTheyAreGiven() async throws {
        try await WebhookStoreHarness.with { harness in
            var configuration = ProducerConfiguration(bucket: "b", queueURL: "q")
            configuration.webhookAllowPrivateTargets = true
            configuration.controlRequestsPerMinute = 3
            let key = try await harness.store.createAPIKey(owner: "dave", name: "test", isAdmin: false).plaintext
            let limits = RequestLimits(configuration: configuration)
            let router = Router(context: ProducerRequestContext.self)
            WebhookRoutes(configuration: configuration, store: harness.store, limits: limits)
                .add(to: router.group("v1").add(middleware: APIKeyAuthenticator(store: harness.store, limits: limits)))
            // The budget spent elsewhere (video retries and deletes draw from the same one).
            for _ in 0..<3 { #expect(limits.control.acquire("dave") == nil) }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await client.execute(
                    uri: "/v1/webhooks", method: .post, headers: ProducerFixture.headers(key: key, contentType: "application/json"),
                    body: ByteBuffer(string: #"{"url": "http://127.0.0.1:9/x"}"#)
                ) { response in
                    #expect(response.status == .tooManyRequests)
                }
            }
            #expect(try await harness.store.webhookEndpoints(owner: "dave").isEmpty)
        }
    }

    @Test func registrationsPastTheCapAreRefused() async throws {
        let fixture = try await Self.fixture { $0.maximumWebhooksPerOwner = 2 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                let headers = ProducerFixture.headers(key: fixture.alice, contentType: "application/json")
                let body = ByteBuffer(string: #"{"url": "http://127.0.0.1:9/x"}"#)
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<4 {
                    statuses.append(
                        try await client.execute(uri: "/v1/webhooks", method: .post, headers: headers, body: body) { response in
                            if response.status == .conflict { #expect(ProducerFixture.errorCode(response.body) == "too_many_webhooks") }
                            return response.status
                        })
                }
                #expect(statuses == [.created, .created, .conflict, .conflict])
                #expect(try await fixture.store.webhookEndpoints(owner: "alice").count == 2)
            }
        }
    }
}
