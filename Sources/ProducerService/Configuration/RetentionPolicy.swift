import Foundation
import ServiceSupport
import VideoCore

/// How long finished videos are kept: a default number of days (0: for ever) and per-owner overrides, without I/O.
/// A video expires `days` after it finished (completed, failed or cancelled); the sweeper deletes it with its files.
public struct RetentionPolicy: Sendable, Equatable {
    /// Days a finished video is kept; 0 keeps it for ever (`VIDEOQUEUE_RETENTION_DAYS`).
    public var defaultDays: Int
    /// Days by owner, over the default; 0 keeps that owner's videos for ever (`VIDEOQUEUE_RETENTION_OVERRIDES`:
    /// `alice=7,archive=0`).
    public var overrides: [String: Int]

    public init(defaultDays: Int = 0, overrides: [String: Int] = [:]) {
        self.defaultDays = defaultDays
        self.overrides = overrides
    }

    /// The days `owner`'s videos are kept (0: for ever).
    public func days(for owner: String) -> Int { overrides[owner] ?? defaultDays }

    /// When a finished `record` expires; `nil` while it runs or when it is kept for ever.
    public func expiresAt(_ record: VideoRecord) -> Date? {
        let days = days(for: record.owner)
        guard days > 0, let finished = record.finishedAt, [.completed, .failed, .cancelled].contains(record.status) else { return nil }
        return finished.addingTimeInterval(Double(days) * 86_400)
    }

    /// One query of a sweep: the videos finished before `cutoff`, of `owners` (nil: anyone) but not of `excluded`.
    public struct Sweep: Sendable, Equatable {
        public var owners: [String]?
        public var excluded: [String]
        public var cutoff: Date
    }

    /// The queries that find every expired video at `now`: one for the default (every overridden owner excluded),
    /// one per owner whose override keeps videos for a while.
    public func sweeps(now: Date) -> [Sweep] {
        var sweeps: [Sweep] = []
        if defaultDays > 0 {
            sweeps.append(Sweep(owners: nil, excluded: overrides.keys.sorted(), cutoff: now.addingTimeInterval(-Double(defaultDays) * 86_400)))
        }
        for (owner, days) in overrides.sorted(by: { $0.key < $1.key }) where days > 0 {
            sweeps.append(Sweep(owners: [owner], excluded: [], cutoff: now.addingTimeInterval(-Double(days) * 86_400)))
        }
        return sweeps
    }

    /// Parses `owner=days,owner=days` (days 0…36500).
    /// - Throws: `ConfigurationError` naming `setting`.
    public static func overrides(_ text: String, setting: String) throws(ConfigurationError) -> [String: Int] {
        var overrides: [String: Int] = [:]
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let days = Int(parts[1]), (0...36_500).contains(days) else {
                throw ConfigurationError(setting: setting, message: "'\(entry)' is not owner=days (days 0…36500)")
            }
            overrides[parts[0]] = days
        }
        return overrides
    }
}
