import Foundation

/// `thumbnails`: a poster frame (at 10 % of the duration, at most `posterMaximumSize` on its long side),
/// a sprite sheet (`tile` filter) of `thumbnailCount` evenly spaced frames, and those frames as files.
///
/// Each frame is read by a fast seek (`-ss` before its own input), so the cost does not grow with the
/// video's length. Writes `thumbnails/poster.jpg`, `thumbnails/sprite.jpg`, `thumbnails/frame_NNN.jpg`.
public struct ThumbnailsHandler: MediaJobHandler {
    public var name: String { "thumbnails" }

    public init() {}

    public func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        let video = try job.requireVideo()
        let options = job.options
        guard options.thumbnailCount > 0, options.spriteColumns > 0, options.thumbnailWidth >= 2 else {
            throw MediaError(code: .invalidOptions, message: "thumbnailCount, spriteColumns and thumbnailWidth must be positive")
        }
        let width = video.displayWidth ?? 0
        let height = video.displayHeight ?? 0
        let duration = job.effectiveDuration ?? 0
        _ = try job.freshDirectory(name)

        let poster = Self.fit(width: width, height: height, longSide: options.posterMaximumSize)
        let tileWidth = max(2, min(options.thumbnailWidth, width) / 2 * 2)
        let tileHeight = max(2, Int((Double(tileWidth) * Double(height) / Double(width) / 2).rounded()) * 2)
        let count = options.thumbnailCount
        let columns = min(options.spriteColumns, count)
        let rows = (count + columns - 1) / columns

        // Input 0: the poster; inputs 1…count: the evenly spaced frames (centres of equal slices).
        // Each input decodes a few frames after its seek: one decoder thread each keeps eleven decoders' frame
        // buffers small, and only the validated stream is decoded (never an attached picture).
        let seekOptions = { (time: Double) in ["-threads", "1", "-ss", Self.seconds(time)] }
        var inputs = [FFmpegInvocation.Input(url: job.input, options: seekOptions(duration * 0.1))]
        for index in 0..<count {
            let time = duration * (Double(index) + 0.5) / Double(count)
            inputs.append(.init(url: job.input, options: seekOptions(time)))
        }
        var graph = "[\(job.videoSpecifier(video))]trim=end_frame=1,scale=\(poster.width):\(poster.height),setsar=1[poster]"
        for index in 0..<count {
            graph += ";[\(job.videoSpecifier(video, input: index + 1))]trim=end_frame=1,setpts=PTS-STARTPTS,scale=\(tileWidth):\(tileHeight),setsar=1[f\(index)]"
        }
        graph += ";" + (0..<count).map { "[f\($0)]" }.joined() + "concat=n=\(count):v=1:a=0,settb=1,setpts=N"
        graph += options.writeThumbnailFrames ? ",split=2[tiles][frames]" : "[tiles]"
        graph += ";[tiles]tile=\(columns)x\(rows)[sprite]"

        var output = ["-filter_complex", graph]
        output += ["-map", "[poster]", "-frames:v", "1", "-q:v", "2", "-f", "image2", "-update", "1", "\(name)/poster.jpg"]
        output += ["-map", "[sprite]", "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", "\(name)/sprite.jpg"]
        if options.writeThumbnailFrames {
            output += [
                "-map", "[frames]", "-frames:v", String(count), "-fps_mode", "passthrough", "-q:v", "3", "-f", "image2",
                "-start_number", "0", "\(name)/frame_%03d.jpg",
            ]
        }
        let invocation = FFmpegInvocation(
            inputs: inputs, outputArguments: output, expectedDuration: nil, workingDirectory: job.outputDirectory)
        try await job.runner.run(invocation)

        var files = [
            try job.producedFile(.thumbnailPoster, at: "\(name)/poster.jpg", contentType: "image/jpeg", width: poster.width, height: poster.height),
            try job.producedFile(
                .thumbnailSprite, at: "\(name)/sprite.jpg", contentType: "image/jpeg", width: columns * tileWidth, height: rows * tileHeight),
        ]
        if options.writeThumbnailFrames {
            for index in 0..<count {
                let path = "\(name)/" + "frame_\(String(format: "%03d", index)).jpg"
                guard FileManager.default.fileExists(atPath: job.outputDirectory.appendingPathComponent(path).path) else { break }
                files.append(try job.producedFile(.thumbnailFrame, at: path, contentType: "image/jpeg", width: tileWidth, height: tileHeight))
            }
        }
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return files
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
