import ServiceSupport
import Testing

/// ``withTimeout(_:operation:_:)``: a bound on one call that heeds cancellation.
@Suite("Call timeout")
struct CallTimeoutTests {
    @Test("a call past its limit is cancelled and ends with timed_out at the limit")
    func aCallPastItsLimitTimesOut() async throws {
        let start = ContinuousClock.now
        await #expect(throws: CallTimeoutError(operation: "slow", limit: .milliseconds(100))) {
            try await withTimeout(.milliseconds(100), operation: "slow") { try await Task.sleep(for: .seconds(60)) }
        }
        #expect(ContinuousClock.now - start < .seconds(30), "far below the 60 s call")
    }

    @Test("cancelling the caller ends the call with CancellationError, not timed_out")
    func cancellingTheCallerIsNoTimeout() async throws {
        let call = Task {
            try await withTimeout(.seconds(60), operation: "long") { try await Task.sleep(for: .seconds(60)) }
        }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
    }
}
