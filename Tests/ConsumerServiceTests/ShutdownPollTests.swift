import Foundation
import SQSClient
import ServiceLifecycle
import Testing
import VideoCore

@testable import ConsumerService

/// A graceful shutdown that begins while a long poll is in flight: the poll is not cancelled (SQS would count the
/// receive of what it hands over and keep it hidden), and what it brings is handed back at once, never run. The
/// whole consumer runs on the fake queue and a SQLite store.
@Suite("Consumer shutdown during a long poll")
struct ShutdownPollTests {
    @Test(
        "messages the in-flight polls bring after the shutdown began — the jobs queue's and the dead-letter watcher's — are handed back at once (visibility 0), never run, and no new poll starts"
    )
    func pollAnsweredAfterShutdownIsHandedBack() async throws {
        try await HandlerWorld.with { world in
            let (record, message) = try await world.queuedVideo()
            let (deadRecord, deadLettered) = try await world.queuedVideo()
            // Each poll is answered only once the shutdown has begun, as SQS answers a long poll when a message arrives.
            world.queue.answerPolls(of: HandlerWorld.queueURL) { _ in
                try await gracefulShutdown()
                return [message]
            }
            world.queue.answerPolls(of: HandlerWorld.deadLetterQueueURL) { _ in
                try await gracefulShutdown()
                return [deadLettered]
            }
            var configuration = world.configuration()
            configuration.waitTimeSeconds = 2
            configuration.sqsCallTimeout = .seconds(2)
            configuration.deadLetterCheckInterval = .seconds(60)
            let consumer = try world.consumer(configuration)
            let services = RunningServices([consumer])
            await world.queue.pollsBegan(of: HandlerWorld.queueURL)
            await world.queue.pollsBegan(of: HandlerWorld.deadLetterQueueURL)

            let took = try await services.stop()
            let changes = world.queue.calls.compactMap { call -> String? in
                if case .changeVisibility(let handle, 0) = call { handle } else { nil }
            }
            #expect(Set(changes) == [message.receiptHandle, deadLettered.receiptHandle], "\(world.queue.calls)")
            #expect(world.queue.calls.count == 2, "nothing sent, deleted or hidden: \(world.queue.calls)")
            for id in [record.id, deadRecord.id] {
                let current = try #require(try await world.current(id))
                #expect(current.status == .queued, "never claimed")
                #expect(current.attempts == 0)
            }
            #expect(world.queue.pollCount(of: HandlerWorld.queueURL) == 1, "no poll after the shutdown began")
            #expect(took < .seconds(4), "bounded by the poll's wait and call timeout (here it answered at once): \(took)")
        }
    }

    @Test("a poll that never answers does not hold the shutdown past its wait time plus the call timeout")
    func hungPollIsBounded() async throws {
        try await HandlerWorld.with { world in
            world.queue.answerPolls(of: HandlerWorld.queueURL) { _ in
                try await Task.sleep(for: .seconds(3600))
                return []
            }
            var configuration = world.configuration()
            configuration.waitTimeSeconds = 1
            configuration.sqsCallTimeout = .milliseconds(500)
            configuration.deadLetterCheckInterval = .zero
            let consumer = try world.consumer(configuration)
            let services = RunningServices([consumer])
            await world.queue.pollsBegan(of: HandlerWorld.queueURL)
            let took = try await services.stop()
            #expect(took < .seconds(1) + .milliseconds(500) + .seconds(2), "\(took)")
            #expect(world.queue.calls.isEmpty)
        }
    }
}
