import Foundation

/// The termination watch's decisions, without I/O: what each answer (or failure) of the instance metadata service
/// means. ``TerminationWatcher`` is its driver.
///
/// - A Spot `instance-action` document (`{"action": "terminate", "time": "2026-12-03T10:00:00Z"}`) or a target
///   lifecycle state of `Terminated` → drain, once.
/// - No answer before the service ever answered → stop watching (not on EC2, or the metadata service is off).
///   After it answered once, failures are passing: keep watching.
/// - An unreadable Spot document still means an interruption: drain with no deadline rather than ignore it.
struct TerminationWatch: Sendable {
    enum Action: Sendable, Equatable {
        case keepWatching
        case drain(TerminationNotice)
        case stopWatching(reason: String)
    }

    private(set) var answered = false
    private(set) var noticed = false

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

    /// A request failed (unreachable, refused token, an error status).
    mutating func failed(_ message: String) -> Action {
        answered ? .keepWatching : .stopWatching(reason: message)
    }

    /// The `time` of a Spot instance-action document, `nil` when the document cannot be read.
    static func spotTime(_ document: String) -> Date? {
        struct InstanceAction: Decodable { var action: String; var time: String }
        guard document.utf8.count <= 4096, let data = document.data(using: .utf8),
              let decoded = try? JSONDecoder().decode(InstanceAction.self, from: data) else { return nil }
        return ISO8601DateFormatter().date(from: decoded.time)
    }
}
