import Foundation

/// The JSON of the store's TEXT columns (`jobs`, `outputs`, `error`, `metadata`). Control characters, NUL
/// included, are escaped, so any string survives both databases (PostgreSQL TEXT and JSONB refuse NUL).
enum StoreJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static var decoder: JSONDecoder { JSONDecoder() }

    static func string<T: Encodable>(_ value: T) throws -> String {
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw VideoStoreError(code: .invalidArgument, message: "cannot encode \(T.self) as JSON: \(error)")
        }
    }
}
