import Foundation
import Testing
import VideoCore

@testable import ConsumerService

/// The claim and takeover rule on its own: every status, the record's own message and duplicates, fresh and
/// stalled records, and how long a duplicate is hidden.
@Suite("Claim decision")
struct ClaimDecisionTests {
    static let decision = ClaimDecision(visibilityTimeout: 60, backoff: RedeliveryBackoff(base: 10, maximum: 900))
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func event(
        _ status: VideoStatus?, recordMessage: String? = "m-1", message: String = "m-1", receiveCount: Int = 1,
        updatedSecondsAgo: Double = 0, attempts: Int = 1, eta: Double? = nil
    ) -> ClaimDecision.Event {
        ClaimDecision.Event(
            record: status.map {
                ClaimDecision.RecordState(
                    status: $0, attempts: attempts, messageID: recordMessage,
                    updatedAt: now.addingTimeInterval(-updatedSecondsAgo), etaSeconds: eta)
            },
            messageID: message, receiveCount: receiveCount, now: now)
    }

    @Test("no record: the message is deleted")
    func noRecord() {
        for count in [1, 2, 10] {
            #expect(Self.decision.decide(Self.event(nil, receiveCount: count)) == .delete(.noRecord))
        }
    }

    @Test("a final record: any message is deleted without work", arguments: [VideoStatus.completed, .cancelled, .failed])
    func finalRecord(status: VideoStatus) {
        for message in ["m-1", "m-2"] {
            for count in [1, 3] {
                for age in [0.0, 3600] {
                    let event = Self.event(status, message: message, receiveCount: count, updatedSecondsAgo: age)
                    #expect(Self.decision.decide(event) == .delete(.final(status)))
                }
            }
        }
    }

    @Test("a waiting record is claimed by any message, its own, a duplicate or one it never knew", arguments: [VideoStatus.pending, .queued])
    func waitingRecord(status: VideoStatus) {
        for (recordMessage, message) in [("m-1", "m-1"), ("m-1", "m-2"), (nil, "m-2")] as [(String?, String)] {
            for count in [1, 4] {
                #expect(Self.decision.decide(Self.event(status, recordMessage: recordMessage, message: message, receiveCount: count)) == .claim)
            }
        }
    }

    @Test("processing, the record's current message: taken over (its holder lost it), whatever the record's age")
    func currentMessageTakesOver() {
        for age in [0.0, 30, 61, 3600] {
            for count in [2, 5] {
                let event = Self.event(.processing, recordMessage: "m-1", message: "m-1", receiveCount: count, updatedSecondsAgo: age, attempts: 3)
                #expect(Self.decision.decide(event) == .takeOver(previousAttempt: 3, reason: .currentMessage))
            }
        }
    }

    @Test("processing and progressing, another message: a duplicate, left invisible and never taking over, on any receive")
    func duplicateOfRunningRecordIsLeftInvisible() {
        for recordMessage in ["m-1", nil] as [String?] {
            for count in 1...8 {
                for age in [0.0, 30, 60] {
                    let event = Self.event(.processing, recordMessage: recordMessage, message: "m-2", receiveCount: count, updatedSecondsAgo: age)
                    guard case .leaveInvisible(let seconds) = Self.decision.decide(event) else {
                        Issue.record("receive \(count), \(age) s old: \(Self.decision.decide(event))")
                        continue
                    }
                    #expect(seconds >= 60, "at least the visibility timeout")
                    #expect(seconds <= ClaimDecision.maximumVisibility)
                }
            }
        }
    }

    @Test("processing with no progress for longer than the visibility timeout: a duplicate takes the stalled record over")
    func stalledRecordIsTakenOver() {
        for age in [60.001, 61, 3600] {
            for recordMessage in ["m-1", nil] as [String?] {
                let event = Self.event(.processing, recordMessage: recordMessage, message: "m-2", receiveCount: 1, updatedSecondsAgo: age, attempts: 2)
                #expect(Self.decision.decide(event) == .takeOver(previousAttempt: 2, reason: .stalled))
            }
        }
        // Exactly the visibility timeout is not yet stalled.
        #expect(Self.decision.decide(Self.event(.processing, message: "m-2", updatedSecondsAgo: 60)) == .leaveInvisible(seconds: 60))
    }

    @Test("a record whose clock is ahead (updated 'in the future') counts as progressing")
    func futureUpdateIsFresh() {
        #expect(Self.decision.decide(Self.event(.processing, message: "m-2", updatedSecondsAgo: -30)) == .leaveInvisible(seconds: 60))
    }

    @Test("a duplicate is hidden for the longest of the visibility timeout, the backoff's ceiling and the record's ETA, at most 12 h")
    func duplicateVisibility() {
        func seconds(_ count: Int, eta: Double? = nil, decision: ClaimDecision = Self.decision) -> Int? {
            if case .leaveInvisible(let seconds) = decision.decide(Self.event(.processing, message: "m-2", receiveCount: count, eta: eta)) {
                return seconds
            }
            return nil
        }
        #expect(seconds(1) == 60)  // backoff 10 s < visibility 60 s
        #expect(seconds(4) == 80)  // 10 × 2³
        #expect(seconds(6) == 320)
        #expect(seconds(20) == 900)  // the backoff's maximum
        #expect(seconds(1, eta: 1800.2) == 1801)
        #expect(seconds(1, eta: 5) == 60)
        #expect(seconds(1, eta: -5) == 60)
        #expect(seconds(1, eta: .infinity) == 60)
        #expect(seconds(1, eta: .nan) == 60)
        #expect(seconds(1, eta: 1e9) == ClaimDecision.maximumVisibility)
        let long = ClaimDecision(visibilityTimeout: 43_200, backoff: RedeliveryBackoff(base: 10, maximum: 900))
        #expect(seconds(1, decision: long) == 43_200)
    }

    @Test("the same event always gets the same action (no clock, randomness or I/O inside)")
    func deterministic() {
        let event = Self.event(.processing, message: "m-2", receiveCount: 3, updatedSecondsAgo: 10, eta: 120)
        #expect(Set((0..<20).map { _ in "\(Self.decision.decide(event))" }).count == 1)
    }
}
