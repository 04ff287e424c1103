import Foundation

extension ChildProcess {
    /// Runs the process to its end, turning its stdout lines into reports (`parse`, on the reader thread) that reach
    /// `deliver` in order from a task of their own, every one delivered before this returns.
    /// - Throws: `MediaError` when the process cannot start: `.cancelled` (the task was cancelled first) or
    ///   `.toolUnavailable` naming `tool`.
    func run<Report: Sendable>(
        tool: String, parse: @escaping @Sendable (String) -> Report?, deliver: @escaping @Sendable (Report) async -> Void
    ) async throws -> Outcome {
        var child = self
        let (stream, continuation) = AsyncStream.makeStream(of: Report.self, bufferingPolicy: .bufferingNewest(32))
        child.onStdoutLine = { line in
            if let report = parse(line) { continuation.yield(report) }
        }
        async let delivered: Void = {
            for await report in stream { await deliver(report) }
        }()
        let outcome: Outcome
        do {
            outcome = try await child.run()
        } catch {
            continuation.finish()
            await delivered
            if error is CancellationError { throw MediaError(code: .cancelled, message: "cancelled before \(tool) started") }
            throw MediaError(code: .toolUnavailable, message: "cannot start \(tool): \(error)")
        }
        continuation.finish()
        await delivered
        return outcome
    }
}
