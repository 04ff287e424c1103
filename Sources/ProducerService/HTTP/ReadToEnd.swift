import Hummingbird
import Synchronization

/// Whether a request's body was read to its end: ``ErrorMiddleware`` closes the connection after a refusal only when
/// the rest of a long or endless body is still unread.
final class ReadToEnd: Sendable {
    private let ended = Atomic(false)
    private let started = Atomic(false)

    /// The route read the body to its end.
    var isEnded: Bool { ended.load(ordering: .relaxed) }
    /// The route began reading the body (it can be read once only).
    var isStarted: Bool { started.load(ordering: .relaxed) }

    /// `body`, noting when its end is reached.
    func tracking(_ body: RequestBody) -> RequestBody {
        RequestBody(asyncSequence: Tracked(base: body, owner: self))
    }

    private struct Tracked: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: RequestBody
        let owner: ReadToEnd

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: RequestBody.AsyncIterator
            let owner: ReadToEnd

            mutating func next() async throws -> ByteBuffer? {
                let buffer = try await base.next()
                if buffer == nil { owner.ended.store(true, ordering: .relaxed) }
                return buffer
            }
        }

        func makeAsyncIterator() -> AsyncIterator {
            owner.started.store(true, ordering: .relaxed)
            return AsyncIterator(base: base.makeAsyncIterator(), owner: owner)
        }
    }
}
