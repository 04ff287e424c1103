/// A `videoqueue-consumer@N.service` unit as `systemctl list-units` shows it.
public struct ConsumerUnit: Sendable, Hashable {
    /// `N`.
    public var number: Int
    /// systemd's active state: `active`, `activating`, `reloading`, `deactivating`, `inactive`, `failed`…
    public var activeState: String

    public init(number: Int, activeState: String) {
        self.number = number
        self.activeState = activeState
    }

    /// Running or starting: capacity now or in a moment.
    public var isRunning: Bool { ["active", "activating", "reloading", "refreshing"].contains(activeState) }
    /// Stopping: draining its jobs.
    public var isDraining: Bool { activeState == "deactivating" }

    /// The units of `prefix@N.service` in `systemctl list-units --all --plain --no-legend` output; other
    /// lines (other units, non-numeric instances) are skipped.
    public static func parse(listUnits output: String, prefix: String) -> [ConsumerUnit] {
        var units: [ConsumerUnit] = []
        for line in output.split(whereSeparator: \.isNewline) {
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if let first = fields.first, first == "●" || first == "*" || first == "○" { fields.removeFirst() }
            guard fields.count >= 3 else { continue }
            let name = fields[0]
            let head = prefix + "@"
            guard name.hasPrefix(head), name.hasSuffix(".service") else { continue }
            let instance = name.dropFirst(head.count).dropLast(".service".count)
            guard let number = Int(instance), number > 0, String(number) == instance else { continue }
            units.append(ConsumerUnit(number: number, activeState: fields[2]))
        }
        return units.sorted { $0.number < $1.number }
    }
}
