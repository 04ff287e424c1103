import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 (a port the system picks) that answers every request with
/// a route-handler closure and counts requests per method and path.
///
/// Used to stand in for the ECS credentials endpoint, the EC2 instance metadata service and faulty AWS endpoints.
/// Call ``shutdown()`` when done; it closes the listening socket and every open connection.
public final class FakeHTTPServer: Sendable {
    /// A request as the handler sees it, its body collected.
    public struct Request: Sendable {
        public var method: HTTPMethod
        /// The request target, query included.
        public var uri: String
        public var headers: HTTPHeaders
        public var body: String

        /// The target without its query.
        public var path: String {
            uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        }
    }

    /// What the handler answers.
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var headers: HTTPHeaders
        public var body: String

        public init(status: HTTPResponseStatus = .ok, headers: HTTPHeaders = [:], body: String = "") {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// `200 OK` with `body`.
        public static func ok(_ body: String, contentType: String = "text/plain") -> Response {
            Response(status: .ok, headers: ["Content-Type": contentType], body: body)
        }

        /// An empty response with `status`.
        public static func reply(_ status: HTTPResponseStatus) -> Response {
            Response(status: status)
        }
    }

    public typealias Handler = @Sendable (Request) async -> Response

    /// The port the server listens on.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let state: SharedState

    private init(port: Int, group: MultiThreadedEventLoopGroup, channel: any Channel, state: SharedState) {
        self.port = port
        self.group = group
        self.channel = channel
        self.state = state
    }

    /// Starts a server answering with `handler`.
    public static func start(handler: @escaping Handler) async throws -> FakeHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = SharedState(handler: handler)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(RequestHandler(state: state))
                    }
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
            guard let port = channel.localAddress?.port else {
                try await channel.close()
                throw ServerError.noPort
            }
            return FakeHTTPServer(port: port, group: group, channel: channel, state: state)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// How many requests were received for `path` (query ignored), with `method` if given.
    public func requestCount(_ path: String, method: HTTPMethod? = nil) -> Int {
        state.counts.withLock { counts in
            counts.filter { key, _ in key.path == path && (method == nil || key.method == method?.rawValue) }
                .values.reduce(0, +)
        }
    }

    /// How many requests were received in all.
    public var totalRequestCount: Int {
        state.counts.withLock { $0.values.reduce(0, +) }
    }

    /// Stops listening and closes every connection.
    public func shutdown() async throws {
        try? await channel.close()
        try await group.shutdownGracefully()
    }

    private enum ServerError: Error {
        case noPort
    }

    /// What the connections share: the handler and the counters.
    private final class SharedState: Sendable {
        struct Key: Hashable {
            var method: String
            var path: String
        }

        let handler: Handler
        let counts = Mutex<[Key: Int]>([:])

        init(handler: @escaping Handler) {
            self.handler = handler
        }

        func record(_ request: Request) {
            counts.withLock { $0[Key(method: request.method.rawValue, path: request.path), default: 0] += 1 }
        }
    }

    /// Collects a request, asks the handler, writes its response.
    private final class RequestHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let state: SharedState
        private var head: HTTPRequestHead?
        private var body = ByteBuffer()

        init(state: SharedState) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let head else { return }
                self.head = nil
                let request = Request(
                    method: head.method,
                    uri: head.uri,
                    headers: head.headers,
                    body: String(buffer: body)
                )
                state.record(request)
                let handler = state.handler
                let promise = context.eventLoop.makePromise(of: Response.self)
                promise.completeWithTask { await handler(request) }
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let version = head.version
                let keepAlive = head.isKeepAlive
                promise.futureResult.whenSuccess { response in
                    let (handler, context) = bound.value
                    handler.write(response, version: version, keepAlive: keepAlive, context: context)
                }
            }
        }

        private func write(_ response: Response, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
            let buffer = ByteBuffer(string: response.body)
            var headers = response.headers
            headers.replaceOrAdd(name: "Content-Length", value: String(buffer.readableBytes))
            if !keepAlive {
                headers.replaceOrAdd(name: "Connection", value: "close")
            }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive {
                    bound.value.close(promise: nil)
                }
            }
        }
    }
}
