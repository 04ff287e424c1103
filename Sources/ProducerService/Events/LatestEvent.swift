import Synchronization

/// The last progress event a stream delivered, for a WebSocket `get_status` answered from memory.
final class LatestEvent: Sendable {
    private let event = Mutex<ProgressEvent?>(nil)

    var value: ProgressEvent? { event.withLock { $0 } }

    func set(_ value: ProgressEvent) {
        event.withLock { $0 = value }
    }
}
