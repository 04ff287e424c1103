import Foundation
import Synchronization

/// One thread that lives as long as the process and starts every child.
///
/// Linux ties `PR_SET_PDEATHSIG` — what bubblewrap's `--die-with-parent` sets — to the *thread* that forked, not
/// the process: a child started from a Dispatch or cooperative-pool worker is killed (SIGKILL) when that worker
/// exits after a while idle, which the pool does while a long FFmpeg or recogniser run keeps nothing else busy. A
/// child started from this thread dies only with the process, as meant.
final class SpawnThread: Sendable {
    /// The process's spawn thread (started on first use).
    static let shared = SpawnThread()

    private struct State {
        var work: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "VideoQueue.SpawnThread"
        thread.start()
    }

    /// Runs `body` on the spawn thread and returns its result (the caller waits: a spawn takes microseconds).
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>>(.failure(CancellationError()))
        state.withLock {
            $0.work.append {
                let value = Result { try body() }
                result.withLock { $0 = value }
                done.signal()
            }
        }
        ready.signal()
        done.wait()
        return try result.withLock { $0 }.get()
    }

    private func loop() {
        while true {
            ready.wait()
            let batch = state.withLock { state -> [@Sendable () -> Void] in
                defer { state.work.removeAll() }
                return state.work
            }
            for item in batch { item() }
        }
    }
}
