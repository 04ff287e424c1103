import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP server on 127.0.0.1 that answers the n-th connection with the n-th scripted reply, written raw,
/// then closes the connection: for faults an HTTP server would not produce (a connection dropped
/// mid-body, a truncated head). Connections beyond the script get the last reply.
public final class ScriptedTCPServer: Sendable {
    /// The port.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let counter: Counter
    private let heads: HeadLog

    private init(port: Int, group: MultiThreadedEventLoopGroup, channel: any Channel, counter: Counter, heads: HeadLog) {
        self.port = port
        self.group = group
        self.channel = channel
        self.counter = counter
        self.heads = heads
    }

    /// The request heads received so far (request line and headers), in order of arrival.
    public var requestHeads: [String] { heads.all }

    /// The number of connections accepted so far.
    public var connectionCount: Int { counter.count }

    /// Starts a server replying with `replies` (raw bytes each, e.g. a full HTTP response or a cut one).
    public static func start(replies: [String]) async throws -> ScriptedTCPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let counter = Counter()
        let heads = HeadLog()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let index = counter.next()
                let reply = replies.isEmpty ? "" : replies[min(index, replies.count - 1)]
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(reply: reply) { head in heads.append(head) })
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try await channel.close()
            try await group.shutdownGracefully()
            throw CancellationError()
        }
        return ScriptedTCPServer(port: port, group: group, channel: channel, counter: counter, heads: heads)
    }

    /// Stops the server.
    public func shutdown() async throws {
        try? await channel.close()
        try await group.shutdownGracefully()
    }

    private final class HeadLog: Sendable {
        private let heads = Mutex<[String]>([])
        var all: [String] { heads.withLock { $0 } }
        func append(_ head: String) { heads.withLock { $0.append(head) } }
    }

    private final class Counter: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func next() -> Int {
            value.withLock { value in
                defer { value += 1 }
                return value
            }
        }
    }

    /// Waits for the request head (a blank line), then writes the reply and closes.
    private final class ReplyHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let reply: String
        private var received = ""
        private var answered = false
        private let record: @Sendable (String) -> Void

        init(reply: String, record: @escaping @Sendable (String) -> Void) {
            self.reply = reply
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readString(length: buffer.readableBytes) ?? ""
            guard !answered, received.contains("\r\n\r\n") else { return }
            answered = true
            record(received.components(separatedBy: "\r\n\r\n").first ?? received)
            let channel = context.channel
            context.writeAndFlush(NIOAny(ByteBuffer(string: reply))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
