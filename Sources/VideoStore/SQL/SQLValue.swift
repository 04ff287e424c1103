/// A bound parameter or a column value, in the few types the store uses on both databases.
enum SQLValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case text(String)
    case null

    static func int(_ value: Int) -> SQLValue { .int(Int64(value)) }
    static func optionalText(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    static func optionalInt(_ value: Int64?) -> SQLValue { value.map(SQLValue.int) ?? .null }
    static func optionalDouble(_ value: Double?) -> SQLValue { value.map(SQLValue.double) ?? .null }
}
