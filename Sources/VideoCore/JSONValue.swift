import Foundation

/// Any JSON value: what a caller attaches to a video as its metadata (an object), kept and returned as sent.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// How deeply arrays and objects nest (a scalar is 0).
    public var depth: Int {
        switch self {
        case .array(let values): 1 + (values.map(\.depth).max() ?? 0)
        case .object(let values): 1 + (values.values.map(\.depth).max() ?? 0)
        default: 0
        }
    }
}

/// A video's caller metadata: a JSON object of at most ``maximumBytes`` (as compact JSON) and ``maximumDepth`` levels,
/// stored with the record, returned by the API and carried in webhooks.
public enum CallerMetadata {
    public static let maximumBytes = 4096
    public static let maximumDepth = 8

    /// Parses and checks `text`; the message says what is wrong.
    public static func parse(_ text: String) -> Result<[String: JSONValue], CallerMetadataError> {
        guard text.utf8.count <= maximumBytes * 4 else { return .failure(CallerMetadataError("metadata must be at most \(maximumBytes) bytes of JSON")) }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object(let object) = value else {
            return .failure(CallerMetadataError("metadata must be a JSON object"))
        }
        return check(object)
    }

    /// Checks an already decoded object's size and depth.
    public static func check(_ object: [String: JSONValue]) -> Result<[String: JSONValue], CallerMetadataError> {
        guard JSONValue.object(object).depth <= maximumDepth else { return .failure(CallerMetadataError("metadata nests deeper than \(maximumDepth) levels")) }
        let size = (try? JSONEncoder().encode(object).count) ?? .max
        guard size <= maximumBytes else { return .failure(CallerMetadataError("metadata must be at most \(maximumBytes) bytes of JSON, not \(size)")) }
        return .success(object)
    }
}

/// Caller metadata that is not a small JSON object.
public struct CallerMetadataError: Error, Sendable, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
}
