import Foundation
import VideoCore

/// A result row by lower-case column name, with typed getters that throw ``VideoStoreError/Code/corruptData``.
struct SQLRow: Sendable {
    var values: [String: SQLValue]

    init(_ values: [String: SQLValue]) { self.values = values }

    private func value(_ column: String) throws -> SQLValue {
        guard let value = values[column] else {
            throw VideoStoreError(code: .corruptData, message: "the result has no column \(column)")
        }
        return value
    }

    private func mismatch(_ column: String, _ type: String, _ value: SQLValue) -> VideoStoreError {
        VideoStoreError(code: .corruptData, message: "column \(column) is not \(type): \(value)")
    }

    func optionalInt(_ column: String) throws -> Int64? {
        switch try value(column) {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9e15: return Int64(value)
        case .text(let text) where Int64(text) != nil: return Int64(text)
        case .null: return nil
        case let other: throw mismatch(column, "an integer", other)
        }
    }

    func int(_ column: String) throws -> Int64 {
        guard let value = try optionalInt(column) else { throw mismatch(column, "an integer", .null) }
        return value
    }

    func optionalDouble(_ column: String) throws -> Double? {
        switch try value(column) {
        case .double(let value): return value
        case .int(let value): return Double(value)
        case .null: return nil
        case let other: throw mismatch(column, "a number", other)
        }
    }

    func double(_ column: String) throws -> Double {
        guard let value = try optionalDouble(column) else { throw mismatch(column, "a number", .null) }
        return value
    }

    func optionalText(_ column: String) throws -> String? {
        switch try value(column) {
        case .text(let value): return value
        case .null: return nil
        case let other: throw mismatch(column, "text", other)
        }
    }

    func text(_ column: String) throws -> String {
        guard let value = try optionalText(column) else { throw mismatch(column, "text", .null) }
        return value
    }

    func uuid(_ column: String) throws -> UUID {
        let text = try text(column)
        guard let id = UUID(uuidString: text) else { throw mismatch(column, "a UUID", .text(text)) }
        return id
    }

    func date(_ column: String) throws -> Date { VideoTimestamp.date(milliseconds: try int(column)) }

    func optionalDate(_ column: String) throws -> Date? {
        try optionalInt(column).map { VideoTimestamp.date(milliseconds: $0) }
    }

    /// Decodes a JSON TEXT column.
    func json<T: Decodable>(_ type: T.Type, _ column: String) throws -> T {
        let text = try text(column)
        do {
            return try StoreJSON.decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw VideoStoreError(code: .corruptData, message: "column \(column) is not the JSON of \(T.self): \(error)")
        }
    }
}
