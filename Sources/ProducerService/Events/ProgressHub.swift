import Foundation
import Logging
import Synchronization
import VideoStore

/// Fans one video's progress out to every stream that follows it in this process: one poller per video (not
/// one database query loop per SSE or WebSocket client), started by the first subscriber and stopped when the
/// last one leaves or the video reaches a final state. 500 streams on one video cost one query per interval.
///
/// The poller reads the record every ``interval`` and hands subscribers each ``ProgressEvent`` that differs from
/// the last, a ``Update/tick`` every ``tickInterval`` without a change (for keep-alives), and ``Update/gone`` when
/// the record no longer exists. A subscriber's stream keeps only the newest update it has not read yet, so a slow
/// client costs no memory; the final event is always the last one delivered.
final class ProgressHub: Sendable {
    /// What a subscriber receives.
    enum Update: Sendable, Equatable {
        case event(ProgressEvent)
        case tick
        case gone
    }

    private struct Watcher {
        var subscribers: [Int: AsyncStream<Update>.Continuation] = [:]
        var last: ProgressEvent?
        var task: Task<Void, Never>?
    }

    let store: any VideoStore
    let interval: Duration
    let tickInterval: Duration
    let logger: Logger
    private let state = Mutex<(next: Int, watchers: [UUID: Watcher])>((0, [:]))

    init(store: any VideoStore, interval: Duration, tickInterval: Duration = .seconds(15), logger: Logger) {
        self.store = store
        self.interval = interval
        self.tickInterval = tickInterval
        self.logger = logger
    }

    /// The number of videos polled now (for tests and metrics).
    var pollers: Int { state.withLock { $0.watchers.count } }

    /// Follows video `id` (the caller checked the owner): its updates, starting with the current state, until a
    /// final event or ``Update/gone``; the stream ends then, or when the subscriber stops iterating.
    func subscribe(_ id: UUID) -> AsyncStream<Update> {
        let (stream, continuation) = AsyncStream.makeStream(of: Update.self, bufferingPolicy: .bufferingNewest(1))
        let token = state.withLock { state -> Int in
            state.next += 1
            var watcher = state.watchers[id] ?? Watcher()
            watcher.subscribers[state.next] = continuation
            if let last = watcher.last { continuation.yield(.event(last)) }
            if watcher.task == nil {
                watcher.task = Task { [weak self] in await self?.poll(id) }
            }
            state.watchers[id] = watcher
            return state.next
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id, token: token) }
        return stream
    }

    private func unsubscribe(_ id: UUID, token: Int) {
        let task = state.withLock { state -> Task<Void, Never>? in
            guard var watcher = state.watchers[id] else { return nil }
            watcher.subscribers[token] = nil
            if watcher.subscribers.isEmpty {
                state.watchers[id] = nil
                return watcher.task
            }
            state.watchers[id] = watcher
            return nil
        }
        task?.cancel()
    }

    /// Hands `update` to every subscriber of `id`; `final` ends their streams and forgets the video.
    private func publish(_ update: Update, for id: UUID, final: Bool) {
        let subscribers = state.withLock { state -> [AsyncStream<Update>.Continuation] in
            guard var watcher = state.watchers[id] else { return [] }
            if case .event(let event) = update { watcher.last = event }
            if final {
                state.watchers[id] = nil
            } else {
                state.watchers[id] = watcher
            }
            return Array(watcher.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.yield(update)
            if final { subscriber.finish() }
        }
    }

    private func poll(_ id: UUID) async {
        var last: ProgressEvent?
        var lastSent = ContinuousClock.now
        while !Task.isCancelled {
            do {
                guard let record = try await store.video(id: id, owner: nil) else {
                    publish(.gone, for: id, final: true)
                    return
                }
                let event = ProgressEvent(record)
                if event != last {
                    last = event
                    lastSent = .now
                    publish(.event(event), for: id, final: event.isFinal)
                    if event.isFinal { return }
                } else if ContinuousClock.now - lastSent >= tickInterval {
                    lastSent = .now
                    publish(.tick, for: id, final: false)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("cannot read a video's progress", metadata: ["video_id": "\(id.uuidString.lowercased())", "error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
