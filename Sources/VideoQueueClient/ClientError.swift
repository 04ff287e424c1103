/// A failed call: the API's error (its snake-case code and message, and the HTTP status), or a local problem.
public struct ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `not_found`, `invalid_options`…; local problems have their own (`no_api_key`, `unreachable`, `bad_answer`,
    /// `file_unreadable`).
    public var code: String
    public var message: String
    /// The HTTP status, when the API answered.
    public var status: Int?

    public init(code: String, message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String { "\(code): \(message)" }
}
