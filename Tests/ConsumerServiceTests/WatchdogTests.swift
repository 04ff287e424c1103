import Foundation
import SQSClient
import ServiceLifecycle
import ServiceSupport
import Synchronization
import TestSupport
import Testing

@testable import ConsumerService

/// The poll loop's liveness as the systemd watchdog sees it: `WATCHDOG=1` only while the loop keeps its promise,
/// and a receive's bound that fits half the watchdog interval.
@Suite("Consumer watchdog")
struct WatchdogTests {
    @Test("the loop is alive until its promise plus the slack has passed, then overdue by the excess")
    func promise() {
        let liveness = PollLiveness(slack: .seconds(5))
        let start = ContinuousClock.now
        #expect(!liveness.isAlive(at: start), "no promise yet")
        liveness.expect(within: .seconds(30), now: start)
        #expect(liveness.isAlive(at: start + .seconds(35)))
        #expect(liveness.overdue(at: start + .seconds(35)) == nil)
        #expect(!liveness.isAlive(at: start + .seconds(36)))
        #expect(liveness.overdue(at: start + .seconds(36)) == .seconds(1))
        liveness.expect(within: .zero, now: start + .seconds(40))
        #expect(liveness.isAlive(at: start + .seconds(41)), "a new round, a new promise")
    }

    @Test(
        "a receive's bound (wait time + call timeout) is checked against half the watchdog interval: kept when it fits, the wait shortened when it does not, refused when the call timeout alone does not fit",
        arguments: [
            (20, 10, nil, 20, false), (20, 10, 90, 20, false), (20, 10, 60, 20, false), (20, 10, 40, 10, true),
            (20, 10, 21, 0, true), (5, 2, 90, 5, false),
        ] as [(Int, Int, Int?, Int, Bool)])
    func waitTimeFitsTheWatchdog(configured: Int, callTimeout: Int, watchdog: Int?, expected: Int, clamped: Bool) throws {
        let fit = try PollLiveness.waitTime(configured: configured, callTimeout: .seconds(callTimeout), watchdog: watchdog.map { .seconds($0) })
        #expect(fit.seconds == expected)
        #expect(fit.clamped == clamped)
        #expect(fit.clamped || fit.seconds == configured)
        if let watchdog { #expect(.seconds(fit.seconds) + .seconds(callTimeout) <= Duration.seconds(watchdog) / 2) }
    }

    @Test("a call timeout that reaches half the watchdog interval is refused naming the setting and the watchdog")
    func callTimeoutPastTheWatchdogIsRefused() {
        #expect {
            _ = try PollLiveness.waitTime(configured: 20, callTimeout: .seconds(10), watchdog: .seconds(20))
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.setting == "VIDEOQUEUE_SQS_CALL_TIMEOUT" && error.message.contains("WatchdogSec")
        }
    }

    @Test(
        "under a watchdog too short for its call timeout the consumer stops at start with the configuration error; under one too short for its wait, it polls with the shortened wait"
    )
    func startUpChecksTheWatchdog() async throws {
        try await HandlerWorld.with { world in
            let socket = try NotifySocket(path: world.directory.file("notify.sock"))
            defer { socket.close() }
            var configuration = world.configuration()
            configuration.waitTimeSeconds = 20
            configuration.sqsCallTimeout = .seconds(10)
            configuration.deadLetterCheckInterval = .zero
            let refused = try world.consumer(configuration, environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "20000000"])
            await #expect(throws: ConfigurationError.self) { try await refused.run() }
            #expect(!socket.drain().contains { $0.hasPrefix("READY=1") }, "refused before READY=1")

            let clamped = try world.consumer(configuration, environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "40000000"])
            let services = RunningServices([clamped])
            await world.queue.pollsBegan(of: HandlerWorld.queueURL)
            try await services.stop()
            #expect(world.queue.pollWaitTimes(of: HandlerWorld.queueURL) == [10], "20 s + 10 s past half of 40 s: the wait shortened to 10 s")
        }
    }

    @Test("WATCHDOG=1 stops once a receive hangs past its bound (wait time + call timeout + slack) and comes back when the loop does")
    func watchdogStopsWhenTheLoopOverrunsItsPromise() async throws {
        try await HandlerWorld.with { world in
            let gate = Gate()
            let receives = Mutex(0)
            // The first receive hangs past its bound, deaf to the call timeout's cancellation (a stuck socket read);
            // later ones wait as an idle long poll does.
            world.queue.answerPolls(of: HandlerWorld.queueURL) { _ in
                if receives.withLock({ count in
                    count += 1
                    return count
                }) == 1 {
                    await gate.wait()
                    return []
                }
                try await gracefulShutdown()
                return []
            }
            let socket = try NotifySocket(path: world.directory.file("notify.sock"))
            defer { socket.close() }
            var configuration = world.configuration()
            configuration.waitTimeSeconds = 0
            configuration.sqsCallTimeout = .milliseconds(200)
            configuration.pollLivenessTimeout = .milliseconds(200)
            configuration.deadLetterCheckInterval = .zero
            // Fed every 100 ms (a quarter of the interval) while alive.
            let consumer = try world.consumer(configuration, environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"])
            let services = RunningServices([consumer])
            await world.queue.pollsBegan(of: HandlerWorld.queueURL)

            var received: [String] = []
            // The promise (200 ms + 200 ms slack) runs out: the loop is overdue and no longer vouched for.
            let overdue = try await ConsumerHarness.eventually(timeout: .seconds(10)) { !consumer.isPollLoopAlive }
            #expect(overdue)
            received += socket.drain()
            #expect(received.contains("WATCHDOG=1"), "fed while the promise held")
            // Four feeding periods later nothing more came: systemd's watchdog would fire.
            try await Task.sleep(for: .milliseconds(400))
            let whileHung = socket.drain()
            #expect(!whileHung.contains("WATCHDOG=1"), "\(whileHung)")
            #expect(!consumer.isPollLoopAlive)

            // The receive returns: the loop goes round, makes a new promise, and the watchdog is fed again.
            gate.open()
            var after: [String] = []
            let fedAgain = try await ConsumerHarness.eventually(timeout: .seconds(10)) {
                after += socket.drain()
                return after.contains("WATCHDOG=1")
            }
            #expect(fedAgain)
            try await services.stop()
        }
    }
}

/// A one-way gate: ``wait()`` returns once ``open()`` was called, and ignores cancellation meanwhile.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if isOpen { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
