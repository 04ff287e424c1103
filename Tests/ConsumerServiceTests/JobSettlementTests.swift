import Foundation
import MediaProcessing
import S3Client
import TestSupport
import Testing
import VideoCore

@testable import ConsumerService

/// The settlement table without I/O: every ending, on every receive and every attempt, with and without a redrive
/// policy, under several attempt limits.
@Suite("Job settlement")
struct JobSettlementTests {
    static let backoff = RedeliveryBackoff(base: 10, maximum: 300)
    static let endings: [JobEnding] = [
        .aborted(.cancelled), .aborted(.timedOut), .aborted(.lostMessage), .aborted(.shutdown), .interrupted,
        .completed(outputs: 3), .completionRefused,
        .failed(.permanent(VideoFailure(code: "probe_failed", message: "not a video"))),
        .failed(.transient("S3: slow down", code: "retries_exhausted")),
        .failed(.transient("FFmpeg was killed", code: "ffmpeg_killed")),
    ]

    /// What the table says for `ending`, independent of the implementation's structure.
    static func expected(_ ending: JobEnding, receiveCount: Int, maximum: Int?, attempts: Int, maximumAttempts: Int)
        -> (JobSettlement.RecordStep, JobOutcome)
    {
        switch ending {
        case .aborted(.cancelled): return (.none, .cancelled)
        case .aborted(.timedOut):
            return (
                .write(
                    .fail(VideoFailure(code: "job_timeout", message: "the job ran longer than its timeout, 60.0 seconds, and was stopped")),
                    inspectIfRefused: false), .timedOut
            )
        case .aborted(.lostMessage): return (.write(.release, inspectIfRefused: false), .abandoned)
        case .aborted(.shutdown), .interrupted: return (.write(.release, inspectIfRefused: false), .released)
        case .completed: return (.none, .completed)
        case .completionRefused: return (.inspect, .abandoned)
        case .failed(.permanent(let failure)): return (.write(.fail(failure), inspectIfRefused: true), .failed)
        case .failed(.transient(let reason, let code)):
            if attempts >= maximumAttempts {
                let plural = attempts == 1 ? "" : "s"
                let message = "gave up after \(attempts) attempt\(plural) (at most \(maximumAttempts)); the last error was transient: \(reason)"
                return (.write(.fail(VideoFailure(code: code, message: message)), inspectIfRefused: true), .failed)
            }
            let lastReceive = maximum.map { receiveCount >= $0 } ?? false
            return (.write(.release, inspectIfRefused: lastReceive), .retried)
        }
    }

    /// What the table says happens to the message for a transient failure: deleted without an attempt left, sent again
    /// on the last allowed receive, otherwise hidden (`true`: the step's delay is the backoff's).
    static func expectedTransientMessage(
        _ step: JobSettlement.MessageStep, receiveCount: Int, maximum: Int?, attempts: Int,
        maximumAttempts: Int
    ) -> Bool {
        if attempts >= maximumAttempts { return step == .delete }
        let ceiling = backoff.ceiling(receiveCount: receiveCount)
        switch step {
        case .sendAgain(let delay): return maximum.map { receiveCount >= $0 } == true && (ceiling / 2...ceiling).contains(delay)
        case .setVisibility(let delay): return maximum.map { receiveCount >= $0 } != true && (ceiling / 2...ceiling).contains(delay)
        default: return false
        }
    }

    @Test(
        "every ending on every receive and attempt, with and without a redrive policy, under attempt limits of 1, 3 and 5, writes the record, treats the message and ends as the table says",
        arguments: [nil, 1, 3, 5] as [Int?], [1, 3, 5])
    func table(maximum: Int?, maximumAttempts: Int) {
        let settlement = JobSettlement(maximumReceiveCount: maximum, maximumAttempts: maximumAttempts, backoff: Self.backoff)
        for ending in Self.endings {
            for receiveCount in 1...6 {
                for attempts in 1...6 {
                    let action = settlement.settle(ending, receiveCount: receiveCount, attempts: attempts, timeout: .seconds(60))
                    let (record, outcome) = Self.expected(
                        ending, receiveCount: receiveCount, maximum: maximum, attempts: attempts,
                        maximumAttempts: maximumAttempts)
                    let context = "\(ending) receive \(receiveCount) of \(String(describing: maximum)), attempt \(attempts) of \(maximumAttempts)"
                    #expect(action.record == record, "\(context)")
                    #expect(action.outcome == outcome, "\(context)")
                    #expect(!action.note.isEmpty)
                    if case .failed(.transient) = ending {
                        #expect(
                            Self.expectedTransientMessage(
                                action.message, receiveCount: receiveCount, maximum: maximum, attempts: attempts,
                                maximumAttempts: maximumAttempts), "\(context): \(action.message)")
                    }
                }
            }
        }
    }

    @Test(
        "a transient failure is counted by attempts, not receives: on the message's last receive with attempts left the record is released and the message sent again; only the last attempt fails it"
    )
    func transientFailuresCountAttempts() {
        let settlement = JobSettlement(maximumReceiveCount: 2, maximumAttempts: 5, backoff: Self.backoff)
        var generator = SeededGenerator(seed: 1)
        let lastReceive = settlement.settle(
            .failed(.transient("S3: slow down")), receiveCount: 2, attempts: 2, timeout: .seconds(1),
            using: &generator)
        #expect(lastReceive.record == .write(.release, inspectIfRefused: true))
        #expect(lastReceive.outcome == .retried)
        guard case .sendAgain(let delay) = lastReceive.message else {
            Issue.record("expected the message sent again, not \(lastReceive.message)")
            return
        }
        #expect((10...20).contains(delay), "the backoff of the second receive")
        let lastAttempt = settlement.settle(.failed(.transient("S3: slow down")), receiveCount: 1, attempts: 5, timeout: .seconds(1))
        #expect(lastAttempt.outcome == .failed)
        #expect(lastAttempt.message == .delete, "the record carries the failure: nothing for the DLQ")
        guard case .write(.fail(let failure), _) = lastAttempt.record else {
            Issue.record("expected the record failed, not \(lastAttempt.record)")
            return
        }
        #expect(failure.code == "retries_exhausted")
        #expect(failure.message.hasPrefix("gave up after 5 attempts (at most 5)"))
    }

    @Test(
        "the message: deleted when the record is final or cancelled, visible at once when handed back or given up, hidden for the backoff on a retry, left when lost"
    )
    func messages() {
        let settlement = JobSettlement(maximumReceiveCount: 5, maximumAttempts: 3, backoff: Self.backoff)
        func message(_ ending: JobEnding, receive: Int = 1, attempts: Int = 1) -> JobSettlement.MessageStep {
            settlement.settle(ending, receiveCount: receive, attempts: attempts, timeout: .seconds(60)).message
        }
        #expect(message(.aborted(.cancelled)) == .delete)
        #expect(message(.aborted(.timedOut)) == .delete)
        #expect(message(.aborted(.lostMessage)) == .leave)
        #expect(message(.aborted(.shutdown)) == .setVisibility(seconds: 0))
        #expect(message(.interrupted) == .setVisibility(seconds: 0))
        #expect(message(.completed(outputs: 1)) == .delete)
        // Benchmarks/chaos.py counts completions by this line.
        #expect(settlement.settle(.completed(outputs: 1), receiveCount: 1, attempts: 1, timeout: .seconds(1)).note == "job completed")
        #expect(message(.failed(.permanent(VideoFailure(code: "x", message: "y")))) == .delete)
        // The last receive the redrive policy allows, attempts left: sent again, never to the DLQ.
        #expect(message(.failed(.transient("e")), receive: 5).isSendAgain)
        #expect(message(.failed(.transient("e")), receive: 9).isSendAgain)
        // The last attempt: the record is failed and the message deleted, on any receive.
        #expect(message(.failed(.transient("e")), receive: 1, attempts: 3) == .delete)
        #expect(message(.failed(.transient("e")), receive: 5, attempts: 4) == .delete)
    }

    @Test(
        "a transient failure's message is hidden between half the backoff's ceiling and the ceiling, growing with the receive count",
        arguments: 1...8)
    func retryDelay(receiveCount: Int) {
        let settlement = JobSettlement(maximumReceiveCount: nil, maximumAttempts: 100, backoff: Self.backoff)
        let ceiling = Self.backoff.ceiling(receiveCount: receiveCount)
        for seed in UInt64(0)..<200 {
            var generator = SeededGenerator(seed: seed)
            let action = settlement.settle(
                .failed(.transient("e")), receiveCount: receiveCount, attempts: receiveCount, timeout: .seconds(1),
                using: &generator)
            guard case .setVisibility(let seconds) = action.message else {
                Issue.record("a retry must set the visibility, not \(action.message)")
                return
            }
            #expect((ceiling / 2)...ceiling ~= seconds)
        }
        #expect(ceiling == min(300, 10 << (receiveCount - 1)))
    }

    @Test(
        "after a refused write: a gone or cancelled record deletes the message, any other status means a newer attempt owns it",
        arguments: [nil] + VideoStatus.allCases.map(Optional.some))
    func afterRefusal(status: VideoStatus?) {
        let action = JobSettlement(maximumReceiveCount: 5, maximumAttempts: 5, backoff: Self.backoff).afterRefusal(recordStatus: status)
        #expect(action.record == .none)
        if status == nil || status == .cancelled {
            #expect(action.message == .delete)
            #expect(action.outcome == .cancelled)
        } else {
            #expect(action.message == .leave)
            #expect(action.outcome == .abandoned)
        }
    }

    @Test("a store that cannot be told leaves the message hidden for the backoff, to be taken over on its next receive")
    func storeUnavailable() {
        var generator = SeededGenerator(seed: 7)
        let action = JobSettlement(maximumReceiveCount: 5, maximumAttempts: 5, backoff: Self.backoff).storeUnavailable(receiveCount: 3, using: &generator)
        #expect(action.record == .none)
        #expect(action.outcome == .retried)
        guard case .setVisibility(let seconds) = action.message else {
            Issue.record("expected a visibility change, not \(action.message)")
            return
        }
        #expect(20...40 ~= seconds)
    }

    @Test("the ending: an abort reason wins over any result; a cancellation without reason or no result is an interruption; errors are classified")
    func endings() {
        let completed = VideoRecord(
            owner: "o", title: "t", originalFilename: "a.mp4", sourceBucket: "b", sourceKey: "k", size: 1,
            contentType: "video/mp4", jobs: [.transcode])
        for reason in [AbortReason.cancelled, .timedOut, .lostMessage, .shutdown] {
            #expect(JobEnding(reason: reason, result: .success(completed)) == .aborted(reason))
            #expect(JobEnding(reason: reason, result: nil) == .aborted(reason))
        }
        #expect(JobEnding(reason: nil, result: .success(completed)) == .completed(outputs: 0))
        #expect(JobEnding(reason: nil, result: .success(nil)) == .completionRefused)
        #expect(JobEnding(reason: nil, result: nil) == .interrupted)
        #expect(JobEnding(reason: nil, result: .failure(CancellationError())) == .interrupted)
        #expect(JobEnding(reason: nil, result: .failure(MediaError(code: .cancelled, message: "stopped"))) == .interrupted)
        let failure = VideoFailure(code: "source_missing", message: "gone")
        #expect(JobEnding(reason: nil, result: .failure(failure)) == .failed(.permanent(failure)))
        let s3 = S3Error(code: "InternalError", message: "boom")
        #expect(JobEnding(reason: nil, result: .failure(s3)) == .failed(.transient("S3: \(s3)")))
    }

    @Test("the same inputs always give the same action (no clock or I/O inside; randomness only through the generator)")
    func deterministic() {
        let settlement = JobSettlement(maximumReceiveCount: 4, maximumAttempts: 3, backoff: Self.backoff)
        for ending in Self.endings {
            var first = SeededGenerator(seed: 12345)
            var second = SeededGenerator(seed: 12345)
            #expect(
                settlement.settle(ending, receiveCount: 2, attempts: 2, timeout: .seconds(5), using: &first)
                    == settlement.settle(ending, receiveCount: 2, attempts: 2, timeout: .seconds(5), using: &second))
        }
    }
}

extension JobSettlement.MessageStep {
    /// Whether this is ``JobSettlement/MessageStep/sendAgain(delaySeconds:)``, whatever the delay.
    var isSendAgain: Bool {
        if case .sendAgain = self { true } else { false }
    }
}
