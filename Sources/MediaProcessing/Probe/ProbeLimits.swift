/// What an input must satisfy to be processed; checked right after probing.
public struct ProbeLimits: Sendable, Equatable {
    /// Whether a video stream is required (`MediaError.Code.noVideoStream` otherwise).
    public var requireVideo: Bool
    /// The largest accepted width in pixels.
    public var maximumWidth: Int
    /// The largest accepted height in pixels.
    public var maximumHeight: Int
    /// The largest accepted pixel count per frame (width × height).
    public var maximumPixels: Int
    /// The longest accepted duration in seconds.
    public var maximumDuration: Double
    /// The shortest accepted duration in seconds (exclusive: the duration must be greater).
    public var minimumDuration: Double

    public init(
        requireVideo: Bool = true,
        maximumWidth: Int = 8192,
        maximumHeight: Int = 8192,
        maximumPixels: Int = 8192 * 4320,
        maximumDuration: Double = 4 * 3600,
        minimumDuration: Double = 0
    ) {
        self.requireVideo = requireVideo
        self.maximumWidth = maximumWidth
        self.maximumHeight = maximumHeight
        self.maximumPixels = maximumPixels
        self.maximumDuration = maximumDuration
        self.minimumDuration = minimumDuration
    }

    /// The defaults: a video stream, at most 8192×8192 and 8K's pixel count, 0 s < duration ≤ 4 h.
    public static let `default` = ProbeLimits()

    /// No checks at all (for probing our own outputs).
    public static let unlimited = ProbeLimits(
        requireVideo: false, maximumWidth: .max, maximumHeight: .max, maximumPixels: .max,
        maximumDuration: .infinity, minimumDuration: -.infinity
    )

    /// Throws the first limit `info` violates. Every video stream is checked against the size limits, attached
    /// pictures (cover art) included: a decoder may be asked to open any of them.
    public func check(_ info: MediaInfo) throws(MediaError) {
        for stream in info.streams where stream.type == .video {
            let width = stream.width ?? 0
            let height = stream.height ?? 0
            let pixels = width.multipliedReportingOverflow(by: height)
            if width > maximumWidth || height > maximumHeight || pixels.overflow || pixels.partialValue > maximumPixels {
                let kind = stream.isAttachedPicture ? "attached picture" : "video stream"
                throw MediaError(
                    code: .dimensionsTooLarge,
                    message: "the \(kind) #\(stream.index) is \(width)×\(height); the limit is \(maximumWidth)×\(maximumHeight) and \(maximumPixels) pixels")
            }
        }
        if let video = info.videoStream {
            if (video.width ?? 0) <= 0 || (video.height ?? 0) <= 0, requireVideo {
                throw MediaError(code: .noVideoStream, message: "the video stream has no dimensions")
            }
        } else if requireVideo {
            throw MediaError(code: .noVideoStream, message: "the input has no video stream")
        }
        if minimumDuration > -.infinity || maximumDuration < .infinity {
            guard let duration = info.duration, duration.isFinite else {
                throw MediaError(code: .durationTooShort, message: "the input declares no duration")
            }
            if duration <= minimumDuration {
                throw MediaError(code: .durationTooShort, message: "the input lasts \(duration) s; it must last more than \(minimumDuration) s")
            }
            if duration > maximumDuration {
                throw MediaError(code: .durationTooLong, message: "the input lasts \(duration) s; the limit is \(maximumDuration) s")
            }
        }
    }
}
