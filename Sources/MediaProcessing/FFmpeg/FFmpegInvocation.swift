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

    /// A directory a run writes in, and the most its files may take in all: the runner stops FFmpeg once they grow
    /// past it (checked every ``checkInterval``), and the run fails as `insufficientDiskSpace`. For the muxers that
    /// ignore `-fs`: HLS (whose segments are files of their own) and `segment`.
    public struct OutputLimit: Sendable, Equatable {
        /// The directory, whose files (at any depth) are counted.
        public var directory: URL
        /// The most bytes they may take.
        public var maximumBytes: Int64
        /// How often the directory is measured.
        public var checkInterval: Duration

        public init(directory: URL, maximumBytes: Int64, checkInterval: Duration = .milliseconds(200)) {
            self.directory = directory
            self.maximumBytes = maximumBytes
            self.checkInterval = checkInterval
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
    /// The limit on what the run writes, if any.
    public var outputLimit: OutputLimit?

    public init(
        inputs: [Input], outputArguments: [String], expectedDuration: Double?, workingDirectory: URL? = nil, outputLimit: OutputLimit? = nil
    ) {
        self.outputLimit = outputLimit
        self.inputs = inputs
        self.outputArguments = outputArguments
        self.expectedDuration = expectedDuration
        self.workingDirectory = workingDirectory
    }
}
