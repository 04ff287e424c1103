import HummingbirdCore
import Logging
import NIOCore

/// Closes a new connection whose first request head has not arrived whole (up to its blank line) within
/// `timeout`: an idle or trickling client holds a connection that long at most. It sits first in the pipeline,
/// before the HTTP decoder (whose own handlers are only added once the first request decides between HTTP and a
/// WebSocket upgrade), watches the bytes for `CRLF CRLF`, and removes itself once it has seen one; later request
/// heads are watched by ``RequestHeadTimeoutHandler``.
final class FirstRequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    static let headEnd: [UInt8] = [13, 10, 13, 10]
    /// The last bytes seen (a head's end may straddle two reads).
    private var tail: [UInt8] = []

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        // The blank line may straddle two reads: look across the seam, then in the read itself.
        let seam = ByteBuffer(bytes: tail + buffer.readableBytesView.prefix(3))
        let found = seam.firstOffset(of: Self.headEnd) != nil || buffer.firstOffset(of: Self.headEnd) != nil
        tail = Array((tail + buffer.readableBytesView.suffix(3)).suffix(3))
        context.fireChannelRead(data)
        if found {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        }
    }
}

/// A server child channel with a ``FirstRequestHeadGuard`` in front of `base`'s pipeline.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    let base: Base
    let headTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(FirstRequestHeadGuard(timeout: headTimeout))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
