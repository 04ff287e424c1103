/// The dispatch table from job type name to handler.
public struct MediaJobRegistry: Sendable {
    private var handlers: [String: any MediaJobHandler]

    /// A registry of exactly `handlers` (a later one replaces an earlier one of the same name).
    public init(handlers: [any MediaJobHandler]) {
        self.handlers = [:]
        for handler in handlers { register(handler) }
    }

    /// Every standard handler: `transcode`, `hls`, `thumbnails`, `cut_analysis`, `audio`, `transcribe` (one per
    /// name of `JobType.all`, which a test checks).
    public static var standard: MediaJobRegistry {
        MediaJobRegistry(handlers: [
            TranscodeHandler(), HLSHandler(), ThumbnailsHandler(), CutAnalysisHandler(), AudioExtractionHandler(), TranscribeHandler(),
        ])
    }

    /// Adds `handler`, replacing any handler of the same name.
    public mutating func register(_ handler: any MediaJobHandler) {
        handlers[handler.name] = handler
    }

    /// The registered names, sorted.
    public var names: [String] { handlers.keys.sorted() }

    /// The handler registered as `name`.
    /// - Throws: `MediaError.Code.unknownJobType` (permanent).
    public func handler(named name: String) throws(MediaError) -> any MediaJobHandler {
        guard let handler = handlers[name] else {
            throw MediaError(code: .unknownJobType, message: "no handler for job type \"\(name)\" (known: \(names.joined(separator: ", ")))")
        }
        return handler
    }
}
