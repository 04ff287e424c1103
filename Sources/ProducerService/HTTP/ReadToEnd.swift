import Hummingbird
import ServiceSupport
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

    /// Whether the connection must close after answering `request` without reading its body to the end: the rest may
    /// be long (chunked, or over ``VideoRoutes/drainableBytes``) and cannot be drained — at most that many bytes for a
    /// second, and only when nobody began reading it (a body can be read once).
    static func mustClose(after request: Request, readStarted: Bool) async -> Bool {
        guard bodyMayBeLong(request) else { return false }
        return readStarted ? true : !(await drain(request.body))
    }

    /// Whether the request's body may be longer than what is worth reading after answering without it.
    static func bodyMayBeLong(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength].flatMap(Int64.init) { return length > VideoRoutes.drainableBytes }
        return request.headers[.transferEncoding]?.lowercased().contains("chunked") == true
    }

    /// Reads and drops an unread body if it ends within ``VideoRoutes/drainableBytes`` and a second; whether it did.
    static func drain(_ body: RequestBody) async -> Bool {
        (try? await withTimeout(.seconds(1), operation: "drain") {
            var read: Int64 = 0
            for try await buffer in body {
                read += Int64(buffer.readableBytes)
                if read > VideoRoutes.drainableBytes { return false }
            }
            return true
        }) ?? false
    }

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
