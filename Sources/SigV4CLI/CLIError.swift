/// A failure the `sigv4` tool reports as one line on standard error, exiting with status 2.
public struct CLIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, naming the file and line where there is one.
    public var message: String

    /// The exit status of every input error.
    public static let exitStatus: Int32 = 2

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
