import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import VideoCore
import VideoStore

/// The request context of the producer's routes: Hummingbird's core storage and the authenticated caller.
public struct ProducerRequestContext: RequestContext, WebSocketRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The API key the request authenticated with (set by ``APIKeyAuthenticator``).
    public var caller: APIKey?
    /// Where a WebSocket route leaves its handler for the upgrade.
    public let webSocket: WebSocketHandlerReference<Self>
    /// The request's connection (closed early after a refused upload).
    public let channel: any Channel

    public init(source: Source) {
        coreContext = .init(source: source)
        channel = source.channel
        caller = nil
        webSocket = .init()
    }

    /// JSON bodies (not uploads, which stream) are at most 1 MiB.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller, or a 401 when the route is reached without one.
    public func requireCaller() throws(APIError) -> APIKey {
        guard let caller else { throw APIError(.unauthorized, code: "unauthorized", message: "an API key is required") }
        return caller
    }

    /// The owner to scope queries with: `nil` (every owner) for admin keys.
    public func ownerScope() throws(APIError) -> String? {
        let caller = try requireCaller()
        return caller.isAdmin ? nil : caller.owner
    }

    /// The video named by the route's `:id`, if the caller may see it: an unknown id, a malformed one and another
    /// owner's are all a 404 (never a 403, so ids do not leak).
    func requestedVideo(in store: any VideoStore) async throws -> VideoRecord {
        guard let id = parameters.get("id").flatMap(UUID.init(uuidString:)),
            let record = try await store.video(id: id, owner: try ownerScope())
        else {
            throw APIError.notFound()
        }
        return record
    }
}
