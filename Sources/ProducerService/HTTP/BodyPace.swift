import Hummingbird
import NIOCore

/// The least pace a request body must keep: in every ``window`` of waiting for it at least ``minimumBytes`` must
/// arrive, or the request is refused with `408 body_too_slow` and its connection closed. The idle timeout ends a body
/// that stops; this ends one that trickles (a byte every few seconds holds an upload slot and a connection for ever
/// otherwise). Only the time spent waiting for the client counts — not the time the route spends between reads (an
/// S3 part upload retrying): the pace is the client's. A body shorter than ``minimumBytes`` must be whole within the
/// first window.
struct BodyPace: Sendable {
    /// The span of waiting over which the pace is measured.
    var window: Duration = .seconds(30)
    /// Bytes due per ``window``; 0 turns the check off.
    var minimumBytes: Int

    /// A pace of `bytesPerSecond` on average over each `window`.
    init(bytesPerSecond: Int, window: Duration = .seconds(30)) {
        self.window = window
        minimumBytes = bytesPerSecond * Int(max(1, window.components.seconds))
    }

    /// `body`, refused once a window passes with fewer than ``minimumBytes`` in it.
    func pacing(_ body: RequestBody) -> RequestBody {
        guard minimumBytes > 0 else { return body }
        return RequestBody(asyncSequence: Paced(base: body, pace: self))
    }

    /// The refusal.
    var tooSlow: APIError {
        APIError(
            .requestTimeout, code: "body_too_slow",
            message: "the request body arrived slower than \(minimumBytes) bytes per \(window) of waiting"
        ).closingConnection()
    }

    private struct Paced: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: RequestBody
        let pace: BodyPace

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: RequestBody.AsyncIterator
            let pace: BodyPace
            var waited: Duration = .zero
            var windowBytes = 0

            mutating func next() async throws -> ByteBuffer? {
                let started = ContinuousClock.now
                guard let buffer = try await base.next() else { return nil }
                waited += ContinuousClock.now - started
                windowBytes += buffer.readableBytes
                if waited >= pace.window {
                    guard windowBytes >= pace.minimumBytes else { throw pace.tooSlow }
                    waited = .zero
                    windowBytes = 0
                }
                return buffer
            }
        }

        func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator(), pace: pace)
        }
    }
}
