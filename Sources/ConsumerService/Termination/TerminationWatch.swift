import Foundation
import ServiceSupport

/// The termination watch's decisions, without I/O: what each answer (or failure) of the instance metadata service
/// means. ``TerminationWatcher`` is its driver.
///
/// - A Spot `instance-action` document (`{"action": "terminate", "time": "2026-12-03T10:00:00Z"}`) or a target
///   lifecycle state of `Terminated` → drain, once.
/// - No answer before the service ever answered → ask again after a growing, capped, jittered delay: the metadata
///   service may not be ready yet at boot, and an instance that gave up then would never see its Spot or scale-in
///   notice. Off EC2 this goes on at the cap (a request every ``retryCap`` or less), harmlessly.
///   After it answered once, failures are passing: keep watching at the interval.
/// - An unreadable Spot document still means an interruption: drain with no deadline rather than ignore it.
struct TerminationWatch: Sendable {
    enum Action: Sendable, Equatable {
        /// Ask again after the check interval.
        case keepWatching
        /// The service has never answered: ask again after this delay.
        case retry(after: Duration)
        case drain(TerminationNotice)
    }

    /// The longest delay between two requests while the service has never answered.
    static let retryCap: Duration = .seconds(30)

    /// The check interval: the first retry's ceiling.
    var interval: Duration
    private(set) var answered = false
    private(set) var noticed = false
    /// Requests that failed in a row before the service ever answered.
    private(set) var failuresBeforeAnswer = 0

    init(interval: Duration) {
        self.interval = interval
    }

    /// The service answered: `spotInstanceAction` is the body of `spot/instance-action` (`nil`: 404, none),
    /// `targetLifecycleState` that of `autoscaling/target-lifecycle-state` (`nil`: 404, not in a group).
    mutating func observed(spotInstanceAction: String?, targetLifecycleState: String?) -> Action {
        answered = true
        guard !noticed else { return .keepWatching }
        if let document = spotInstanceAction {
            noticed = true
            return .drain(TerminationNotice(reason: .spotInterruption, deadline: Self.spotTime(document)))
        }
        if targetLifecycleState?.trimmingCharacters(in: .whitespacesAndNewlines) == "Terminated" {
            noticed = true
            return .drain(TerminationNotice(reason: .scaleIn, deadline: nil))
        }
        return .keepWatching
    }

    /// A request failed (unreachable, refused token, an error status). Before the first answer: retry after
    /// half the ceiling plus a random part of the other half, the ceiling doubling from ``interval`` per failure up
    /// to ``retryCap`` (never below the interval).
    mutating func failed<G: RandomNumberGenerator>(using generator: inout G) -> Action {
        guard !answered else { return .keepWatching }
        failuresBeforeAnswer += 1
        let ceiling = retryCeiling(afterFailures: failuresBeforeAnswer)
        let half = ceiling / 2
        let jitter = Double.random(in: 0...1, using: &generator)
        return .retry(after: half + half * jitter)
    }

    /// ``failed(using:)`` with the system's generator.
    mutating func failed() -> Action {
        var generator = SystemRandomNumberGenerator()
        return failed(using: &generator)
    }

    /// The upper bound of the delay after `failures` failures in a row: `interval × 2^(failures − 1)`, at most
    /// ``retryCap`` (or the interval, when that is longer).
    func retryCeiling(afterFailures failures: Int) -> Duration {
        let cap = max(interval, Self.retryCap)
        let exponent = max(0, min(failures - 1, 30))
        let seconds = min(cap.seconds, interval.seconds * Double(1 << exponent))
        return .milliseconds(Int64(seconds * 1000))
    }

    /// The `time` of a Spot instance-action document, `nil` when the document cannot be read.
    static func spotTime(_ document: String) -> Date? {
        struct InstanceAction: Decodable {
            var action: String
            var time: String
        }
        guard document.utf8.count <= 4096, let data = document.data(using: .utf8),
            let decoded = try? JSONDecoder().decode(InstanceAction.self, from: data)
        else { return nil }
        return ISO8601DateFormatter().date(from: decoded.time)
    }
}
