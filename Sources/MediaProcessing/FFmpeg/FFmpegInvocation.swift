import Foundation

/// One FFmpeg command: its inputs (each opened through the whitelists) and everything after them.
public struct FFmpegInvocation: Sendable, Equatable {
    /// One input file.
    public struct Input: Sendable, Equatable {
        /// The local file.
        public var url: URL
        /// Options put right before its `-i` (e.g. `-ss 5`).
        public var options: [String]

        public init(url: URL, options: [String] = []) {
            self.url = url
            self.options = options
        }
    }

    /// The inputs, in order (`0:v` is the first one's video).
    public var inputs: [Input]
    /// Filters, mappings, codecs and outputs.
    public var outputArguments: [String]
    /// The duration the output reaches, for the percentage (usually the input's).
    public var expectedDuration: Double?
    /// The directory FFmpeg runs in (relative output names resolve against it).
    public var workingDirectory: URL?

    public init(inputs: [Input], outputArguments: [String], expectedDuration: Double?, workingDirectory: URL? = nil) {
        self.inputs = inputs
        self.outputArguments = outputArguments
        self.expectedDuration = expectedDuration
        self.workingDirectory = workingDirectory
    }
}
