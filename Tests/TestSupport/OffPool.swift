import Foundation

/// Runs a blocking `body` (a child process, a blocking socket read) on a thread of its own and awaits it, so the
/// cooperative pool (two threads on a two-core machine) stays free for the servers under test: a test that blocks
/// one of them while another test blocks the other stops every async task in the process.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
