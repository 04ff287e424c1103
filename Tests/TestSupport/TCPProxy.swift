import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of an upstream address, that a test switches on and off: while off, every
/// connection is closed as soon as it is accepted (what a client sees of a dependency that is down); while on,
/// bytes are relayed both ways. Connections open when it is switched off are closed too.
public final class TCPProxy: Sendable {
    /// The port.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let state: State

    private init(port: Int, group: MultiThreadedEventLoopGroup, channel: any Channel, state: State) {
        self.port = port
        self.group = group
        self.channel = channel
        self.state = state
    }

    /// Starts a proxy to `host:port`, relaying or not.
    public static func start(upstreamHost: String, upstreamPort: Int, relaying: Bool) async throws -> TCPProxy {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = State(relaying: relaying)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                state.accepted()
                guard state.isRelaying else {
                    return inbound.close()
                }
                state.track(inbound)
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: upstreamHost, port: upstreamPort)
                    .flatMap { outbound in
                        state.track(outbound)
                        let (first, second) = RelayHandler.pair()
                        do {
                            try inbound.pipeline.syncOperations.addHandler(first)
                            try outbound.pipeline.syncOperations.addHandler(second)
                        } catch {
                            return inbound.eventLoop.makeFailedFuture(error)
                        }
                        inbound.setOption(.autoRead, value: true).whenComplete { _ in }
                        return inbound.eventLoop.makeSucceededVoidFuture()
                    }
                    .flatMapError { _ in inbound.close() }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try await channel.close()
            try await group.shutdownGracefully()
            throw CancellationError()
        }
        return TCPProxy(port: port, group: group, channel: channel, state: state)
    }

    /// The connections accepted so far (relayed or refused).
    public var connectionCount: Int { state.count }

    /// Relays from now on (`true`), or refuses new connections and closes the open ones (`false`).
    public func setRelaying(_ relaying: Bool) {
        for channel in state.setRelaying(relaying) { channel.close(promise: nil) }
    }

    /// Stops the proxy and closes every connection.
    public func shutdown() async throws {
        setRelaying(false)
        try? await channel.close()
        try await group.shutdownGracefully()
    }

    private final class State: Sendable {
        private struct Values {
            var relaying: Bool
            var count = 0
            var channels: [ObjectIdentifier: any Channel] = [:]
        }
        private let values: Mutex<Values>

        init(relaying: Bool) { values = Mutex(Values(relaying: relaying)) }

        var isRelaying: Bool { values.withLock { $0.relaying } }
        var count: Int { values.withLock { $0.count } }
        func accepted() { values.withLock { $0.count += 1 } }

        func track(_ channel: any Channel) {
            let key = ObjectIdentifier(channel)
            values.withLock { $0.channels[key] = channel }
            channel.closeFuture.whenComplete { [weak self] _ in
                self?.values.withLock { _ = $0.channels.removeValue(forKey: key) }
            }
        }

        /// Returns the channels to close.
        func setRelaying(_ relaying: Bool) -> [any Channel] {
            values.withLock { values in
                values.relaying = relaying
                guard !relaying else { return [] }
                defer { values.channels = [:] }
                return Array(values.channels.values)
            }
        }
    }

    /// Writes what one side reads to the other; closing one side closes the other. Both sides of a pair live on
    /// one event loop.
    private final class RelayHandler: ChannelDuplexHandler, @unchecked Sendable {
        typealias InboundIn = NIOAny
        typealias OutboundIn = NIOAny
        typealias OutboundOut = NIOAny

        private var partner: RelayHandler?
        private var context: ChannelHandlerContext?

        static func pair() -> (RelayHandler, RelayHandler) {
            let first = RelayHandler()
            let second = RelayHandler()
            first.partner = second
            second.partner = first
            return (first, second)
        }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func handlerRemoved(context: ChannelHandlerContext) {
            self.context = nil
            partner = nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner?.context?.write(data, promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            partner?.context?.flush()
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner?.context?.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
