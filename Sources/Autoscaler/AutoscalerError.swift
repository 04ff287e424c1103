/// A failure of the autoscaler, with a code for scripts and tests.
public struct AutoscalerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A setting (flag or environment variable) cannot work.
        public static let configuration = Code(rawValue: "configuration")
        /// The queue's attributes are not the counters expected.
        public static let invalidQueueAttributes = Code(rawValue: "invalid_queue_attributes")
        /// `systemctl` could not be run or failed.
        public static let systemctl = Code(rawValue: "systemctl")
        /// CloudWatch answered with an error.
        public static let cloudWatch = Code(rawValue: "cloudwatch")
        /// The state file could not be read or written.
        public static let stateFile = Code(rawValue: "state_file")
    }

    /// The kind of failure.
    public var code: Code
    /// What happened.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
