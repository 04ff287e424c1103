/// An error of the video store: a bad configuration or argument, or the database failing.
public struct VideoStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// `DATABASE_URL` (or another setting) is malformed or names an unsupported database.
        public static let invalidConfiguration = Code(rawValue: "invalidConfiguration")
        /// An argument cannot be stored (a NUL byte in an owner, a progress that is not a number, …).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// A pagination cursor that this store did not hand out.
        public static let invalidCursor = Code(rawValue: "invalidCursor")
        /// A row with the same id exists.
        public static let conflict = Code(rawValue: "conflict")
        /// A stored row cannot be read back (a column missing or of the wrong type, bad JSON).
        public static let corruptData = Code(rawValue: "corruptData")
        /// The database failed (connection, SQL, lock timeout).
        public static let database = Code(rawValue: "database")
        /// The store was closed.
        public static let closed = Code(rawValue: "closed")
        /// The database cannot be reached now: no connection within the limit, the connection lost, or (RDS IAM
        /// authentication) no token yet because the AWS credentials are not available. Retrying later may work; the
        /// producer answers `503`, the services report themselves not ready meanwhile.
        public static let unavailable = Code(rawValue: "unavailable")
    }

    /// The error code.
    public var code: Code
    /// A message for people; never contains a password.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "video store \(code): \(message)" }
}
