extension KeyedDecodingContainer {
    /// Decodes an integer, reporting a fractional or out-of-range number as this field's data corruption
    /// (Foundation would report it as invalid JSON for the whole document).
    func decodeIntegerIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        let number: Double
        do {
            number = try decode(Double.self, forKey: key)
        } catch {
            return try decode(T.self, forKey: key)  // not a number: the type mismatch error
        }
        guard number.rounded() == number, let value = T(exactly: number) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "\(number) is not an integer of type \(T.self)")
        }
        return value
    }

    /// ``decodeIntegerIfPresent(_:forKey:)`` for a required field.
    func decodeInteger<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let value = try decodeIntegerIfPresent(type, forKey: key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "missing"))
        }
        return value
    }
}
