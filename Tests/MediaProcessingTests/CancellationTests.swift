import Foundation
import Testing

@testable import MediaProcessing

/// Runs `body`, failing if it takes longer than `seconds` (the bound on waits, instead of fixed sleeps).
func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw ToolFailure(description: "deadline of \(seconds) s passed")
        }
        return value
    }
}

@Suite("Cancellation and timeouts kill FFmpeg")
struct CancellationTests {
    @Test func cancellingALongTranscodeKillsFFmpegPromptly() async throws {
        let media = try await TestMedia.get()
        let pids = MutexBox<[Int32]>([])
        let runner = FFmpegRunner(
            configuration: FFmpegConfiguration(killGracePeriod: .seconds(10)), onProcessStart: { pid in pids.withLock { $0.append(pid) } })
        let (started, startedContinuation) = AsyncStream.makeStream(of: Double.self)
        let info = try await MediaProbe().probe(media.long)
        #expect((info.duration ?? 0) > 250)
        let context = MediaJobContext(
            input: media.long, info: info, outputDirectory: try media.jobDirectory(), runner: runner, options: fastOptions
        ) { progress in
            if progress.percent > 0 { startedContinuation.yield(progress.percent) }
        }
        let task = Task { try await TranscodeHandler().run(context) }

        // Wait until FFmpeg reports progress, i.e. it is really transcoding.
        let firstPercent = try await withDeadline(30) {
            var iterator = started.makeAsyncIterator()
            return await iterator.next() ?? -1
        }
        #expect(firstPercent > 0 && firstPercent < 50)
        let pid = try #require(pids.withLock { $0.last })
        #expect(processExists(pid))

        let clock = ContinuousClock()
        let cancelledAt = clock.now
        task.cancel()
        let result = await task.result
        let waited = clock.now - cancelledAt

        #expect(throws: MediaError.self) { try result.get() }
        if case .failure(let error as MediaError) = result {
            #expect(error.code == .cancelled)
            #expect(!error.isPermanent)
        }
        #expect(!processExists(pid), "ffmpeg \(pid) survived the cancellation")
        // Under the 10 s grace period: SIGTERM alone stopped it (SIGKILL would have come at 10 s).
        #expect(waited < .seconds(10), "SIGTERM should have been enough: \(waited)")
    }

    @Test func aProcessIgnoringSIGTERMIsKilledAfterTheGracePeriod() async throws {
        let media = try await TestMedia.get()
        let script = media.directory.appendingPathComponent("stubborn-\(UUID().uuidString.prefix(6)).sh")
        try """
        #!/bin/sh
        trap '' TERM
        echo "out_time_us=1000000"
        echo "progress=continue"
        while :; do sleep 0.05; done
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)

        let runner = FFmpegRunner(configuration: FFmpegConfiguration(ffmpegPath: script.path, killGracePeriod: .milliseconds(300)))
        let started = MutexBox<Int32>(0)
        let (reports, reportContinuation) = AsyncStream.makeStream(of: Int.self)
        let invocation = FFmpegInvocation(inputs: [.init(url: media.small)], outputArguments: ["-f", "null", "-"], expectedDuration: 2)
        // Its first progress report comes after its `trap`: only then is SIGTERM ignored.
        let task = Task {
            try await runner.run(invocation, onStart: { pid in started.withLock { $0 = pid } }, progress: { _ in reportContinuation.yield(1) })
        }
        _ = try await withDeadline(10) {
            var iterator = reports.makeAsyncIterator()
            return await iterator.next() ?? 0
        }
        let pid = started.withLock { $0 }
        #expect(pid > 0)

        let clock = ContinuousClock()
        let cancelledAt = clock.now
        task.cancel()
        let result = await task.result
        let waited = clock.now - cancelledAt
        if case .failure(let error as MediaError) = result {
            #expect(error.code == .cancelled)
            #expect(error.exitStatus == SIGKILL)
        } else {
            Issue.record("expected a cancellation error, got \(result)")
        }
        #expect(!processExists(pid))
        #expect(waited >= .milliseconds(300))
        #expect(waited < .seconds(5))
    }

    @Test func theTimeoutKillsFFmpeg() async throws {
        let media = try await TestMedia.get()
        let pids = MutexBox<[Int32]>([])
        // A short grace period: on a loaded machine FFmpeg may take seconds to act on SIGTERM, and SIGKILL must follow.
        let runner = FFmpegRunner(
            configuration: FFmpegConfiguration(killGracePeriod: .seconds(2), timeout: .seconds(1)),
            onProcessStart: { pid in pids.withLock { $0.append(pid) } })
        // Loops the input for ever: only the timeout ends it.
        let invocation = FFmpegInvocation(
            inputs: [.init(url: media.silent, options: ["-stream_loop", "-1"])], outputArguments: ["-map", "0:v:0", "-f", "null", "-"],
            expectedDuration: nil)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await mediaError { try await runner.run(invocation) }
        let elapsed = clock.now - start
        #expect(error?.code == .timedOut)
        #expect(error?.isPermanent == false)
        // Not before the timeout; bounded well below the test's own limit. On two cores loaded by the whole suite
        // (transcription, AV1 and HEVC encodes beside it) a run has taken 16 s from start to reaped, so the bound
        // is the mechanism's, not a promptness figure (the cancellation tests above measure promptness).
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(30), "\(elapsed)")
        let pid = try #require(pids.withLock { $0.first })
        #expect(!processExists(pid))
    }

    @Test func anAlreadyCancelledTaskStartsNothing() async throws {
        let media = try await TestMedia.get()
        let started = MutexBox(false)
        let runner = FFmpegRunner(onProcessStart: { _ in started.withLock { $0 = true } })
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await mediaError {
                try await runner.run(FFmpegInvocation(inputs: [.init(url: media.small)], outputArguments: ["-f", "null", "-"], expectedDuration: 3))
            }
        }
        let error = await task.value
        #expect(error?.code == .cancelled)
        #expect(started.withLock { $0 } == false)
    }

    @Test func ffmpegFailureCarriesTheStderrTail() async throws {
        let media = try await TestMedia.get()
        let invocation = FFmpegInvocation(
            inputs: [.init(url: media.small)], outputArguments: ["-c:v", "no_such_encoder", "-f", "null", "-"], expectedDuration: 3)
        let error = await mediaError { try await FFmpegRunner().run(invocation) }
        #expect(error?.code == .ffmpegFailed)
        #expect(error?.exitStatus != 0)
        #expect(error?.stderrTail.joined(separator: "\n").contains("no_such_encoder") == true, "\(String(describing: error))")

        let missing = await mediaError {
            try await FFmpegRunner(configuration: FFmpegConfiguration(ffmpegPath: "/nonexistent/ffmpeg")).run(invocation)
        }
        #expect(missing?.code == .toolUnavailable)
        #expect(missing?.isPermanent == false)
    }
}
