import Foundation
import Logging
import VideoCore
import VideoStore

@testable import ConsumerService

/// A ``JobWork`` that runs a closure instead of FFmpeg, and tells who waits (``started``) when it begins.
struct ScriptedWork: JobWork {
    let script: @Sendable (VideoRecord, AbortSignal) async throws -> VideoRecord?
    private let startedStream: AsyncStream<VideoRecord>
    private let startedContinuation: AsyncStream<VideoRecord>.Continuation

    init(_ script: @escaping @Sendable (VideoRecord, AbortSignal) async throws -> VideoRecord?) {
        self.script = script
        (startedStream, startedContinuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Waits until the work has started (returns the claimed record it runs for).
    func started() async -> VideoRecord? {
        var iterator = startedStream.makeAsyncIterator()
        return await iterator.next()
    }

    func run(record: VideoRecord, scratch: URL, signal: AbortSignal, logger: Logger) async throws -> VideoRecord? {
        startedContinuation.yield(record)
        return try await script(record, signal)
    }

    /// Completes `record` as ``MediaJobWork`` does: the commit begun first (from then on no abort reason counts: the
    /// record watcher that sees the record completed must not call the finished job lost), then the store's completion.
    static func complete(_ record: VideoRecord, in store: any VideoStore, signal: AbortSignal) async throws -> VideoRecord? {
        guard signal.beginCommit() else { throw CancellationError() }
        return try await store.complete(id: record.id, attempt: record.attempts, outputs: [])
    }

    /// Work that never ends by itself: it waits until it is cancelled.
    static func hanging() -> ScriptedWork {
        ScriptedWork { _, _ in
            try await Task.sleep(for: .seconds(3600))
            return nil
        }
    }
}
