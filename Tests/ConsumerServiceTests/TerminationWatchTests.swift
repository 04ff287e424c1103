import Foundation
import TestSupport
import Testing

@testable import ConsumerService

/// The termination watch's decisions, without I/O.
@Suite struct TerminationWatchTests {
    @Test func aSpotNoticeDrainsOnceWithItsTime() {
        var watch = TerminationWatch(interval: .seconds(5))
        #expect(watch.observed(spotInstanceAction: nil, targetLifecycleState: "InService") == .keepWatching)
        let action = watch.observed(
            spotInstanceAction: #"{"action": "terminate", "time": "2026-12-03T10:00:00Z"}"#,
            targetLifecycleState: "InService")
        let deadline = ISO8601DateFormatter().date(from: "2026-12-03T10:00:00Z")
        #expect(action == .drain(TerminationNotice(reason: .spotInterruption, deadline: deadline)))
        #expect(
            watch.observed(
                spotInstanceAction: #"{"action": "terminate", "time": "2026-12-03T10:00:00Z"}"#,
                targetLifecycleState: "Terminated") == .keepWatching, "one drain per process")
    }

    @Test func anUnreadableSpotNoticeStillDrainsWithoutADeadline() {
        for document in ["", "{", #"{"action": "stop"}"#, #"{"action": "stop", "time": "soon"}"#, String(repeating: "x", count: 100_000)] {
            var watch = TerminationWatch(interval: .seconds(5))
            #expect(
                watch.observed(spotInstanceAction: document, targetLifecycleState: nil)
                    == .drain(TerminationNotice(reason: .spotInterruption, deadline: nil)))
        }
    }

    @Test func onlyATerminatedTargetStateIsAScaleIn() {
        for state in ["InService", "Standby", "Detached", "Warmed:Running", "terminated", ""] {
            var watch = TerminationWatch(interval: .seconds(5))
            #expect(watch.observed(spotInstanceAction: nil, targetLifecycleState: state) == .keepWatching, "\(state)")
        }
        var watch = TerminationWatch(interval: .seconds(5))
        #expect(watch.observed(spotInstanceAction: nil, targetLifecycleState: "Terminated\n") == .drain(TerminationNotice(reason: .scaleIn, deadline: nil)))
    }

    @Test func failuresBeforeAnyAnswerAreRetriedAfterACappedJitteredBackoffAndLaterOnesKeepTheInterval() {
        var generator = SeededGenerator(seed: 42)
        var offEC2 = TerminationWatch(interval: .seconds(5))
        var delays: [Duration] = []
        for failure in 1...10 {
            guard case .retry(let delay) = offEC2.failed(using: &generator) else {
                Issue.record("failure \(failure) before any answer must be retried")
                return
            }
            let ceiling = offEC2.retryCeiling(afterFailures: failure)
            #expect(delay >= ceiling / 2 && delay <= ceiling, "failure \(failure): \(delay) outside half the ceiling \(ceiling) … the ceiling")
            delays.append(delay)
        }
        #expect(
            (1...10).map { offEC2.retryCeiling(afterFailures: $0) }
                == [.seconds(5), .seconds(10), .seconds(20)] + Array(repeating: TerminationWatch.retryCap, count: 7))
        #expect(delays.allSatisfy { $0 <= TerminationWatch.retryCap }, "capped")
        #expect(Set(delays.suffix(7)).count > 1, "jittered: consumers that booted together do not ask in step")
        // The service answers at last: watched from then on, and a later failure is passing.
        #expect(offEC2.observed(spotInstanceAction: nil, targetLifecycleState: "InService") == .keepWatching)
        #expect(offEC2.failed(using: &generator) == .keepWatching)
        #expect(offEC2.observed(spotInstanceAction: nil, targetLifecycleState: "Terminated") == .drain(TerminationNotice(reason: .scaleIn, deadline: nil)))
        // An interval longer than the cap is never shortened.
        #expect(TerminationWatch(interval: .seconds(60)).retryCeiling(afterFailures: 3) == .seconds(60))
    }

    @Test func theDrainBudgetKeepsTheMarginAndNeverGoesBelowZero() {
        let now = Date(timeIntervalSince1970: 1_000)
        let spot = TerminationNotice(reason: .spotInterruption, deadline: now.addingTimeInterval(120))
        #expect(spot.drainBudget(now: now, margin: .seconds(20)) == .seconds(100))
        #expect(spot.drainBudget(now: now.addingTimeInterval(110), margin: .seconds(20)) == .zero)
        #expect(TerminationNotice(reason: .scaleIn, deadline: nil).drainBudget(now: now, margin: .seconds(20)) == nil)
    }

    @Test func onlyTheLastConsumerOfAMachineRunsTheCompletion() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vq-lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("consumers.lock").path
        let first = try MachineConsumersLock(path: path)
        let second = try MachineConsumersLock(path: path)
        var third: MachineConsumersLock? = try MachineConsumersLock(path: path)
        var ran: [String] = []
        #expect(await first.releaseAndRunIfLast { ran.append("first") } == false)
        third = nil  // killed: the kernel drops its share
        #expect(third == nil)
        #expect(await second.releaseAndRunIfLast { ran.append("second") } == true)
        #expect(ran == ["second"])
        #expect(await second.releaseAndRunIfLast { ran.append("again") } == false, "once per consumer")
    }
}
