import Foundation

/// `thumbnails`: a poster frame (at 10 % of the duration, at most `posterMaximumSize` on its long side),
/// a sprite sheet (`tile` filter) of `thumbnailCount` evenly spaced frames, and those frames as files.
///
/// On its own, each frame is read by a fast seek (`-ss` before its own input), so the cost does not grow with the
/// video's length; with `transcode`, ``SingleEncodeHandler`` picks the same frames out of its decode instead
/// (``Layout/selectionGraph(from:)``), which costs next to nothing. Writes `thumbnails/poster.jpg`,
/// `thumbnails/sprite.jpg`, `thumbnails/frame_NNN.jpg`.
public struct ThumbnailsHandler: MediaJobHandler {
    public var name: String { "thumbnails" }

    public init() {}

    /// Sizes, times and outputs of one thumbnails run.
    struct Layout {
        var poster: (width: Int, height: Int)
        var tileWidth: Int
        var tileHeight: Int
        var count: Int
        var columns: Int
        var rows: Int
        /// When the poster is taken, in seconds from the start.
        var posterTime: Double
        /// When each frame is taken: the centres of `count` equal slices of the duration.
        var times: [Double]
        var writeFrames: Bool

        /// The filter graph that makes `[poster]`, `[sprite]` and `[frames]` from `[posterInput]` and `[framesInput]`
        /// carrying the whole video: each target time takes the first frame at or after it.
        func selectionGraph(posterInput: String, framesInput: String) -> String {
            func select(_ targets: [Double]) -> String {
                let terms = targets.map { target -> String in
                    let time = ThumbnailsHandler.seconds(target)
                    return "gte(t\\,\(time))*(isnan(prev_selected_t)+lt(prev_selected_t\\,\(time)))"
                }
                return "setpts=PTS-STARTPTS,select='\(terms.joined(separator: "+"))'"
            }
            var graph = "[\(posterInput)]\(select([posterTime])),scale=\(poster.width):\(poster.height),setsar=1[poster]"
            graph += ";[\(framesInput)]\(select(times)),scale=\(tileWidth):\(tileHeight),setsar=1,settb=1,setpts=N"
            return graph + tail
        }

        /// `[tiles]` (and `[frames]`) into the sprite.
        var tail: String {
            (writeFrames ? ",split=2[tiles][frames]" : "[tiles]") + ";[tiles]tile=\(columns)x\(rows)[sprite]"
        }

        /// The three outputs, from the graph's `[poster]`, `[sprite]` and `[frames]`.
        var outputArguments: [String] {
            var output = ["-map", "[poster]", "-frames:v", "1", "-q:v", "2", "-f", "image2", "-update", "1", "thumbnails/poster.jpg"]
            output += ["-map", "[sprite]", "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", "thumbnails/sprite.jpg"]
            if writeFrames {
                output += [
                    "-map", "[frames]", "-frames:v", String(count), "-fps_mode", "passthrough", "-q:v", "3", "-f", "image2",
                    "-start_number", "0", "thumbnails/frame_%03d.jpg",
                ]
            }
            return output
        }
    }

    /// The layout for the job's video, after checking the options.
    static func layout(_ job: MediaJobContext, video: MediaStreamInfo) throws(MediaError) -> Layout {
        let options = job.options
        guard options.thumbnailCount > 0, options.spriteColumns > 0, options.thumbnailWidth >= 2 else {
            throw MediaError(code: .invalidOptions, message: "thumbnailCount, spriteColumns and thumbnailWidth must be positive")
        }
        let width = video.displayWidth ?? 0
        let height = video.displayHeight ?? 0
        let duration = job.effectiveDuration ?? 0
        let tileWidth = max(2, min(options.thumbnailWidth, width) / 2 * 2)
        let count = Self.count(options: options, duration: duration)
        let columns = min(options.spriteColumns, count)
        return Layout(
            poster: Self.fit(width: width, height: height, longSide: options.posterMaximumSize), tileWidth: tileWidth,
            tileHeight: max(2, Int((Double(tileWidth) * Double(height) / Double(width) / 2).rounded()) * 2), count: count,
            columns: columns, rows: (count + columns - 1) / columns, posterTime: duration * 0.1,
            times: (0..<count).map { duration * (Double($0) + 0.5) / Double(count) }, writeFrames: options.writeThumbnailFrames)
    }

    public func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        let video = try job.requireVideo()
        let layout = try Self.layout(job, video: video)
        _ = try job.freshDirectory(name)

        // Input 0: the poster; inputs 1…count: the evenly spaced frames.
        // Each input decodes a few frames after its seek: one decoder thread each keeps eleven decoders' frame
        // buffers small, and only the validated stream is decoded (never an attached picture). Each reads at most
        // to the duration cap (`-t`), should the frame it seeks to never come.
        let seekInput = { (time: Double) in job.cappedInput(options: ["-threads", "1", "-ss", Self.seconds(time)], startingAt: time) }
        let inputs = [seekInput(layout.posterTime)] + layout.times.map(seekInput)
        var graph = "[\(job.videoSpecifier(video))]trim=end_frame=1,scale=\(layout.poster.width):\(layout.poster.height),setsar=1[poster]"
        for index in 0..<layout.count {
            graph +=
                ";[\(job.videoSpecifier(video, input: index + 1))]trim=end_frame=1,setpts=PTS-STARTPTS,"
                + "scale=\(layout.tileWidth):\(layout.tileHeight),setsar=1[f\(index)]"
        }
        graph += ";" + (0..<layout.count).map { "[f\($0)]" }.joined() + "concat=n=\(layout.count):v=1:a=0,settb=1,setpts=N" + layout.tail
        let invocation = FFmpegInvocation(
            inputs: inputs, outputArguments: ["-filter_complex", graph] + layout.outputArguments, expectedDuration: nil,
            workingDirectory: job.outputDirectory)
        try await job.runner.run(invocation)
        let files = try Self.describe(layout, of: job)
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return files
    }

    /// Describes what a run with `layout` wrote.
    static func describe(_ layout: Layout, of job: MediaJobContext) throws(MediaError) -> [ProducedFile] {
        var files = [
            try job.producedFile(
                .thumbnailPoster, at: "thumbnails/poster.jpg", contentType: "image/jpeg", width: layout.poster.width, height: layout.poster.height),
            try job.producedFile(
                .thumbnailSprite, at: "thumbnails/sprite.jpg", contentType: "image/jpeg", width: layout.columns * layout.tileWidth,
                height: layout.rows * layout.tileHeight),
        ]
        if layout.writeFrames {
            for index in 0..<layout.count {
                let path = "thumbnails/" + "frame_\(String(format: "%03d", index)).jpg"
                guard FileManager.default.fileExists(atPath: job.outputDirectory.appendingPathComponent(path).path) else { break }
                files.append(
                    try job.producedFile(.thumbnailFrame, at: path, contentType: "image/jpeg", width: layout.tileWidth, height: layout.tileHeight))
            }
        }
        return files
    }

    /// How many frames: ``MediaJobOptions/thumbnailCount``, or with an interval as many as fit in `duration` (at
    /// least 1, at most 100).
    static func count(options: MediaJobOptions, duration: Double) -> Int {
        guard let interval = options.thumbnailInterval, interval > 0 else { return options.thumbnailCount }
        return min(100, max(1, Int((duration / interval).rounded(.down))))
    }

    /// `width`×`height` scaled down (never up) so its long side is at most `longSide`, even dimensions.
    static func fit(width: Int, height: Int, longSide: Int) -> (width: Int, height: Int) {
        let scale = min(1, Double(longSide) / Double(max(width, height)))
        let even = { (value: Double) in max(2, Int(value) / 2 * 2) }
        return (even(Double(width) * scale), even(Double(height) * scale))
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.3f", max(0, value))
    }
}
