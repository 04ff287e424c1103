/// Server-Sent Events, line by line, without I/O: `event:` and `data:` fields gathered until a blank line ends the
/// event. Lines are bounded (``maximumLineBytes``): a stream that never ends a line cannot grow memory.
public struct EventStreamParser: Sendable {
    /// One event.
    public struct Event: Sendable, Equatable {
        public var name: String
        public var data: String

        public init(name: String, data: String) {
            self.name = name
            self.data = data
        }
    }

    /// The longest line kept; the rest of a longer one is dropped.
    public static let maximumLineBytes = 1 << 20

    private var pending: [UInt8] = []
    private var name = "message"
    private var data: [String] = []

    public init() {}

    /// Feeds bytes; returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                var line = String(decoding: pending, as: UTF8.self)
                if line.hasSuffix("\r") { line.removeLast() }
                pending.removeAll(keepingCapacity: true)
                if let event = consume(line) { events.append(event) }
            } else if pending.count < Self.maximumLineBytes {
                pending.append(byte)
            }
        }
        return events
    }

    private mutating func consume(_ line: String) -> Event? {
        if line.isEmpty {
            defer {
                name = "message"
                data = []
            }
            return data.isEmpty ? nil : Event(name: name, data: data.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field = line.prefix { $0 != ":" }
        var value = line.dropFirst(field.count).dropFirst()
        if value.hasPrefix(" ") { value = value.dropFirst() }
        switch field {
        case "event": name = String(value)
        case "data": data.append(String(value))
        default: break
        }
        return nil
    }
}
