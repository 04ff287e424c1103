import Foundation

/// What an input must satisfy to be processed; checked right after probing.
///
/// Besides the size and the duration, the limits bound what decoding the file costs: every stream is opened by
/// ffprobe and FFmpeg (one decoder each while the file is analysed), a high frame rate multiplies the frames to
/// decode and encode, and a high sample rate or many channels make the audio resampler's filters large.
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
    /// The most streams of any kind (`MediaError.Code.tooManyStreams`). The demuxers of ffprobe and FFmpeg stop at
    /// ``FFmpegConfiguration/maximumStreams`` too, so a file with thousands of streams is refused before they are opened.
    public var maximumStreams: Int
    /// The most video streams, attached pictures (cover art) included (`MediaError.Code.tooManyVideoStreams`).
    public var maximumVideoStreams: Int
    /// The highest frame rate of a video stream other than an attached picture, in frames per second
    /// (`MediaError.Code.frameRateTooHigh`): its average rate, or when the file declares none, the rate of its
    /// first packets (``MediaProbe`` measures it; `r_frame_rate` alone is often the time base of a variable-rate
    /// file, e.g. 1000 for millisecond timestamps). A stream with no rate at all passes.
    public var maximumFrameRate: Double
    /// The highest sample rate of any audio stream, in Hz (`MediaError.Code.sampleRateTooHigh`).
    public var maximumSampleRate: Int
    /// The most channels of any audio stream (`MediaError.Code.tooManyAudioChannels`).
    public var maximumAudioChannels: Int

    public init(
        requireVideo: Bool = true,
        maximumWidth: Int = 8192,
        maximumHeight: Int = 8192,
        maximumPixels: Int = 8192 * 4320,
        maximumDuration: Double = 4 * 3600,
        minimumDuration: Double = 0,
        maximumStreams: Int = 16,
        maximumVideoStreams: Int = 4,
        maximumFrameRate: Double = 240,
        maximumSampleRate: Int = 192_000,
        maximumAudioChannels: Int = 8
    ) {
        self.requireVideo = requireVideo
        self.maximumWidth = maximumWidth
        self.maximumHeight = maximumHeight
        self.maximumPixels = maximumPixels
        self.maximumDuration = maximumDuration
        self.minimumDuration = minimumDuration
        self.maximumStreams = maximumStreams
        self.maximumVideoStreams = maximumVideoStreams
        self.maximumFrameRate = maximumFrameRate
        self.maximumSampleRate = maximumSampleRate
        self.maximumAudioChannels = maximumAudioChannels
    }

    /// The defaults: a video stream, at most 8192×8192 and 8K's pixel count, 0 s < duration ≤ 4 h, at most 16 streams
    /// of which 4 video streams, 240 fps, 192 kHz and 8 audio channels.
    public static let `default` = ProbeLimits()

    /// No checks at all (for probing our own outputs).
    public static let unlimited = ProbeLimits(
        requireVideo: false, maximumWidth: .max, maximumHeight: .max, maximumPixels: .max,
        maximumDuration: .infinity, minimumDuration: -.infinity, maximumStreams: .max, maximumVideoStreams: .max,
        maximumFrameRate: .infinity, maximumSampleRate: .max, maximumAudioChannels: .max
    )

    /// Throws the first limit `info` violates. Every video stream is checked against the size limits, attached
    /// pictures (cover art) included: a decoder may be asked to open any of them; every audio stream against the
    /// audio limits, for the same reason.
    public func check(_ info: MediaInfo) throws(MediaError) {
        try checkStreams(info)
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
            try checkFrameRate(stream)
        }
        for stream in info.streams where stream.type == .audio {
            if let rate = stream.sampleRate, rate > maximumSampleRate {
                throw MediaError(code: .sampleRateTooHigh, message: "the audio stream #\(stream.index) has \(rate) Hz; the limit is \(maximumSampleRate) Hz")
            }
            if let channels = stream.channels, channels > maximumAudioChannels {
                throw MediaError(
                    code: .tooManyAudioChannels, message: "the audio stream #\(stream.index) has \(channels) channels; the limit is \(maximumAudioChannels)")
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

    /// The stream counts: ``maximumStreams`` in all, ``maximumVideoStreams`` video streams.
    func checkStreams(_ info: MediaInfo) throws(MediaError) {
        if info.streams.count > maximumStreams {
            throw MediaError(code: .tooManyStreams, message: "the input has \(info.streams.count) streams; the limit is \(maximumStreams)")
        }
        let videos = info.streams.count { $0.type == .video }
        if videos > maximumVideoStreams {
            throw MediaError(
                code: .tooManyVideoStreams,
                message: "the input has \(videos) video streams (attached pictures included); the limit is \(maximumVideoStreams)")
        }
    }

    /// ``maximumFrameRate`` for one video stream (attached pictures have no meaningful rate: FFmpeg reports their
    /// time base, e.g. 90000). An infinite or NaN rate is above any limit.
    func checkFrameRate(_ stream: MediaStreamInfo) throws(MediaError) {
        guard stream.type == .video, !stream.isAttachedPicture, let rate = stream.frameRate else { return }
        if !(rate <= maximumFrameRate) {
            throw MediaError(
                code: .frameRateTooHigh,
                message:
                    "the video stream #\(stream.index) runs at \(String(format: "%.2f", rate)) fps; the limit is \(String(format: "%g", maximumFrameRate)) fps")
        }
    }
}
