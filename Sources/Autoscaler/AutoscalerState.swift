import Foundation

/// What the autoscaler remembers between rounds: when it last started or stopped instances (the scale-in
/// cooldown counts from it). Kept in memory by the loop, and in a JSON file with `--state-file` so that
/// `--once` runs from a timer respect the cooldown too.
public struct AutoscalerState: Sendable, Codable, Equatable {
    /// The last start or stop.
    public var lastScalingAction: Date?

    public init(lastScalingAction: Date? = nil) {
        self.lastScalingAction = lastScalingAction
    }

    /// The state in `path`; an empty state when the file does not exist.
    /// - Throws: ``AutoscalerError`` (`stateFile`) when it exists and cannot be read.
    public static func load(from path: String) throws(AutoscalerError) -> AutoscalerState {
        guard FileManager.default.fileExists(atPath: path) else { return AutoscalerState() }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(AutoscalerState.self, from: data)
        } catch {
            throw AutoscalerError(code: .stateFile, message: "cannot read \(path): \(error)")
        }
    }

    /// Writes the state to `path` atomically.
    /// - Throws: ``AutoscalerError`` (`stateFile`).
    public func save(to path: String) throws(AutoscalerError) {
        do {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw AutoscalerError(code: .stateFile, message: "cannot write \(path): \(error)")
        }
    }
}
