import Foundation
import Synchronization

/// A clock that only moves when a test says so, for providers taking `now: @Sendable () -> Date`.
final class TestClock: Sendable {
    /// The instant tests start from: 2027-01-15T08:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    private let current: Mutex<Date>

    init(_ start: Date = TestClock.start) {
        current = Mutex(start)
    }

    /// The current instant.
    var now: Date {
        current.withLock { $0 }
    }

    /// A closure reading this clock, to inject into providers.
    var source: @Sendable () -> Date {
        { [self] in self.now }
    }

    /// Moves the clock to `date`.
    func set(_ date: Date) {
        current.withLock { $0 = date }
    }

    /// Moves the clock forward.
    func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }
}
