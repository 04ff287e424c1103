/// EC2 Auto Scaling answered with an error, or with an answer that could not be read.
public struct AutoScalingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The group does not exist.
        public static let noSuchGroup = Code(rawValue: "no_such_group")
        /// No lifecycle action waits for this instance and hook (AWS's `ValidationError` "No active Lifecycle Action
        /// found"): the instance is not being launched or terminated, or the action was completed already.
        public static let noActiveLifecycleAction = Code(rawValue: "no_active_lifecycle_action")
        /// Any other error answer (the message has AWS's code).
        public static let failed = Code(rawValue: "failed")
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, with the action's name and AWS's code and message.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
