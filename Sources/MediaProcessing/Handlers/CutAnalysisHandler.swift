import Foundation

/// `cut_analysis`: finds scene changes with FFmpeg's scene score (`select` computes it on every frame,
/// downscaled to 360 lines; `metadata` keeps the frames above `sceneThreshold`), drops cuts closer than
/// `minimumClipDuration`, keeps the `maximumClips` strongest, and writes `cut_analysis/cuts.json` and,
/// in a second run, one H.264/AAC MP4 per clip (`cut_analysis/clip_NNN.mp4`, keyframes forced on the
/// cuts and the `segment` muxer splitting there, so one encode makes every clip).
///
/// Both runs write under `cut_analysis/` (the scores file grows with the frames; the `segment` muxer ignores `-fs`),
/// which is watched: past ``MediaJobContext/outputSpace`` FFmpeg is stopped and the job fails as `insufficientDiskSpace`.
/// The scores file is read a chunk at a time, never whole.
public struct CutAnalysisHandler: MediaJobHandler {
    public var name: String { "cut_analysis" }

    public init() {}

    public func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        let video = try job.requireVideo()
        let options = job.options
        guard options.sceneThreshold > 0, options.sceneThreshold < 1, options.maximumClips > 0 else {
            throw MediaError(code: .invalidOptions, message: "sceneThreshold must be in (0, 1) and maximumClips positive")
        }
        let duration = job.effectiveDuration ?? 0
        _ = try job.freshDirectory(name)
        let scoresPath = "\(name)/scene_scores.txt"
        let threshold = String(format: "%.4f", options.sceneThreshold)
        let filter =
            "scale=-2:'min(360,ih)',select='gte(scene,0)',"
            + "metadata=mode=print:key=lavfi.scene_score:value=\(threshold):function=greater:file=\(scoresPath)"
        let detect = FFmpegInvocation(
            inputs: [job.cappedInput()],
            outputArguments: ["-map", job.videoSpecifier(video), "-an", "-sn", "-dn", "-vf", filter] + job.runner.outputThreadArguments + ["-f", "null", "-"],
            expectedDuration: duration, workingDirectory: job.outputDirectory, outputLimit: job.outputLimit(for: name))
        let writeClips = options.writeClips
        let detected = try await job.runner.run(detect, progress: job.ffmpegProgress(covering: 0...(writeClips ? 40 : 95)))
        try job.ensureComplete(
            outputDuration: detected.lastProgress?.outTime, expected: nil, output: "the scene analysis",
            stderrTail: detected.stderrTail)

        let scoresURL = job.outputDirectory.appendingPathComponent(scoresPath)
        let cuts = Self.readCuts(
            from: scoresURL, duration: duration, minimumClip: options.minimumClipDuration, maximumClips: options.maximumClips)
        try? FileManager.default.removeItem(at: scoresURL)

        let boundaries = [0] + cuts.map(\.time) + [duration]
        var clips: [CutAnalysisReport.Clip] = []
        for index in 0..<(boundaries.count - 1) {
            clips.append(
                CutAnalysisReport.Clip(
                    index: index, start: boundaries[index], end: boundaries[index + 1], score: index == 0 ? 0 : cuts[index - 1].score,
                    path: writeClips ? "\(name)/clip_\(String(format: "%03d", index)).mp4" : nil))
        }

        var files: [ProducedFile] = []
        if writeClips {
            let size = Rendition.fitting(
                sourceWidth: video.displayWidth ?? 0, sourceHeight: video.displayHeight ?? 0,
                shortSide: min(options.clipMaximumHeight, min(video.displayWidth ?? 0, video.displayHeight ?? 0)))
            let times = cuts.map { String(format: "%.6f", $0.time) }.joined(separator: ",")
            var output = ["-map", job.videoSpecifier(video)]
            if let audio = job.audioSpecifier { output += ["-map", audio] }
            output += ["-vf", "scale=\(size.width):\(size.height),setsar=1"]
            output += EncoderArguments.video(options: options, maximumBitRate: size.maximumVideoBitRate)
            if job.info.hasAudio { output += EncoderArguments.audio(options: options, source: job.info.audioStream) }
            if !cuts.isEmpty { output += ["-force_key_frames", times, "-segment_times", times] }
            output += EncoderArguments.stripMetadata + job.runner.outputThreadArguments
            output += [
                "-f", "segment", "-segment_format", "mp4", "-segment_format_options", "movflags=+faststart",
                "-reset_timestamps", "1", "-segment_start_number", "0", "\(name)/clip_%03d.mp4",
            ]
            let cut = FFmpegInvocation(
                inputs: [job.cappedInput()], outputArguments: output, expectedDuration: duration, workingDirectory: job.outputDirectory,
                outputLimit: job.outputLimit(for: name))
            try await job.runner.run(cut, progress: job.ffmpegProgress(covering: 40...95))
            for clip in clips {
                guard let path = clip.path else { continue }
                var file = try job.producedFile(
                    .cutAnalysisClip, at: path, contentType: "video/mp4", width: size.width, height: size.height, duration: clip.end - clip.start)
                if let info = try? await job.probe.probe(job.outputDirectory.appendingPathComponent(path), limits: .unlimited) {
                    file.duration = info.duration ?? file.duration
                }
                files.append(file)
            }
        }

        let report = CutAnalysisReport(threshold: options.sceneThreshold, duration: duration, cuts: cuts, clips: clips)
        let jsonPath = "\(name)/cuts.json"
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(report).write(to: job.outputDirectory.appendingPathComponent(jsonPath), options: .atomic)
        } catch {
            throw MediaError(code: .outputFailed, message: "cannot write \(jsonPath): \(error)")
        }
        files.insert(try job.producedFile(.cutAnalysisJSON, at: jsonPath, contentType: "application/json", duration: duration), at: 0)
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return files
    }

    /// Reads the `metadata=print` output: `frame:N pts:P pts_time:T` then `lavfi.scene_score=S`.
    public static func parseScores(_ text: String) -> [CutAnalysisReport.Cut] {
        var parser = ScoreParser()
        return text.split(whereSeparator: \.isNewline).compactMap { parser.consume(String($0)) }
    }

    /// The most cuts ``readCuts(from:duration:minimumClip:maximumClips:)`` holds (besides `maximumClips`).
    static let maximumCandidates = 10_000

    /// The cuts ``selectCuts(_:duration:minimumClip:maximumClips:)`` keeps from the `metadata=print` file at `url`
    /// (none when there is no file), read 64 KiB at a time: the file grows with the frames (a strobing input puts two
    /// lines in it for every frame), so it is never held whole. Cuts that could not be kept are dropped as they come
    /// (FFmpeg writes them in time order); of more than twice ``maximumCandidates`` (or `maximumClips`) left, only
    /// the strongest are kept.
    static func readCuts(from url: URL, duration: Double, minimumClip: Double, maximumClips: Int) -> [CutAnalysisReport.Cut] {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return [] }
        defer { try? handle.close() }
        var splitter = LineSplitter()
        splitter.maximumLineLength = 4096
        var parser = ScoreParser()
        let capacity = max(maximumClips, maximumCandidates)
        var kept: [CutAnalysisReport.Cut] = []
        func add(_ line: String) {
            guard let cut = parser.consume(line), cut.time >= minimumClip, duration - cut.time >= minimumClip else { return }
            if let last = kept.last, cut.time - last.time < minimumClip {
                if cut.score > last.score { kept[kept.count - 1] = cut }
            } else {
                kept.append(cut)
            }
            if kept.count >= 2 * capacity {
                kept = Array(kept.sorted { $0.score > $1.score }.prefix(capacity)).sorted { $0.time < $1.time }
            }
        }
        while let chunk = try? handle.read(upToCount: 64 << 10), !chunk.isEmpty {
            splitter.feed(chunk).forEach(add)
        }
        if let last = splitter.finish() { add(last) }
        return selectCuts(kept, duration: duration, minimumClip: minimumClip, maximumClips: maximumClips)
    }

    /// Turns the lines of `metadata=print` into cuts: a `pts_time:` line, then its `lavfi.scene_score=` line.
    struct ScoreParser {
        private var time: Double?

        mutating func consume(_ line: String) -> CutAnalysisReport.Cut? {
            if let range = line.range(of: "pts_time:") {
                time = Double(String(line[range.upperBound...].prefix { !$0.isWhitespace }))
            } else if line.hasPrefix("lavfi.scene_score="), let at = time, let score = Double(String(line.dropFirst("lavfi.scene_score=".count))) {
                time = nil
                return CutAnalysisReport.Cut(time: at, score: score)
            }
            return nil
        }
    }

    /// Keeps cuts at least `minimumClip` from the previous kept cut and from both ends (the stronger of two
    /// close cuts wins), then at most `maximumClips - 1` of the strongest, in time order.
    public static func selectCuts(
        _ candidates: [CutAnalysisReport.Cut], duration: Double, minimumClip: Double, maximumClips: Int
    ) -> [CutAnalysisReport.Cut] {
        var kept: [CutAnalysisReport.Cut] = []
        for cut in candidates.sorted(by: { $0.time < $1.time }) where cut.time >= minimumClip && duration - cut.time >= minimumClip {
            if let last = kept.last, cut.time - last.time < minimumClip {
                if cut.score > last.score { kept[kept.count - 1] = cut }
            } else {
                kept.append(cut)
            }
        }
        if kept.count > maximumClips - 1 {
            kept = Array(kept.sorted { $0.score > $1.score }.prefix(max(0, maximumClips - 1))).sorted { $0.time < $1.time }
        }
        return kept
    }
}
