import Foundation

/// `hls`: an HLS ladder (the renditions of `transcode`, never upscaled) in one FFmpeg run: MPEG-TS
/// segments with keyframes forced on segment boundaries, one VOD playlist per rendition, and a master
/// playlist whose `BANDWIDTH` (peak segment bit rate), `AVERAGE-BANDWIDTH` and `RESOLUTION` are measured
/// from the segments written. Writes `hls/master.m3u8`, `hls/<name>/playlist.m3u8`, `hls/<name>/segment_NNN.ts`.
public struct HLSHandler: MediaJobHandler {
    public var name: String { "hls" }

    public init() {}

    public func run(_ job: MediaJobContext) async throws -> [ProducedFile] {
        let video = try job.requireVideo()
        let renditions = Rendition.ladder(
            sourceWidth: video.displayWidth ?? 0, sourceHeight: video.displayHeight ?? 0, heights: job.options.renditionHeights)
        guard !renditions.isEmpty, job.options.hlsSegmentDuration > 0 else {
            throw MediaError(code: .invalidOptions, message: "no HLS rendition can be made")
        }
        let root = try job.freshDirectory(name)
        let segment = job.options.hlsSegmentDuration
        var output = ["-filter_complex", EncoderArguments.scaleGraph(renditions, video: job.videoSpecifier(video))]
        for (index, rendition) in renditions.enumerated() {
            try Self.createDirectory(for: rendition, under: root)
            output += ["-map", "[v\(index)]"]
            if let audio = job.audioSpecifier { output += ["-map", audio] }
            output += EncoderArguments.video(options: job.options, maximumBitRate: rendition.maximumVideoBitRate)
            output += EncoderArguments.keyframes(every: segment) + ["-sc_threshold", "0"]
            if job.info.hasAudio { output += EncoderArguments.audio(options: job.options, source: job.info.audioStream) }
            output += EncoderArguments.stripMetadata + job.runner.outputThreadArguments
            output += Self.muxerArguments(for: rendition, segmentDuration: segment)
        }
        let invocation = FFmpegInvocation(
            inputs: [job.cappedInput()], outputArguments: output, expectedDuration: job.effectiveDuration,
            workingDirectory: job.outputDirectory)
        let result = try await job.runner.run(invocation, progress: job.ffmpegProgress())
        let files = try Self.describe(renditions, of: job, stderrTail: result.stderrTail)
        await job.report(MediaProgress(percent: 100, estimatedTimeRemaining: 0))
        return files
    }

    /// Creates `hls/<rendition>/` under `root` (the `hls` directory).
    static func createDirectory(for rendition: Rendition, under root: URL) throws(MediaError) {
        do {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(rendition.name), withIntermediateDirectories: true)
        } catch {
            throw MediaError(code: .outputFailed, message: "cannot create the \(rendition.name) directory: \(error)")
        }
    }

    /// The HLS muxer's arguments for one rendition's output: a VOD playlist of MPEG-TS segments cut on the
    /// keyframes at `segmentDuration` multiples, `hls/<rendition>/playlist.m3u8` and `segment_NNN.ts`.
    static func muxerArguments(for rendition: Rendition, segmentDuration: Double) -> [String] {
        [
            "-f", "hls", "-hls_time", String(segmentDuration), "-hls_playlist_type", "vod", "-hls_flags", "independent_segments",
            "-hls_segment_type", "mpegts", "-hls_segment_filename", "hls/\(rendition.name)/segment_%03d.ts",
            "hls/\(rendition.name)/playlist.m3u8",
        ]
    }

    /// Describes the ladder FFmpeg wrote (every segment, each rendition's playlist) and writes the master
    /// playlist, whose `BANDWIDTH` (peak segment bit rate), `AVERAGE-BANDWIDTH` and `RESOLUTION` are measured
    /// from the segments; `extraMasterTags` (e.g. a subtitles group) go before the variants.
    static func describe(
        _ renditions: [Rendition], of job: MediaJobContext, stderrTail: [String], extraMasterTags: [String] = [],
        variantAttributes: String = ""
    ) throws -> [ProducedFile] {
        let name = "hls"
        let segment = job.options.hlsSegmentDuration
        var files: [ProducedFile] = []
        var master = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        for tag in extraMasterTags { master += tag + "\n" }
        for rendition in renditions {
            let playlistPath = "\(name)/\(rendition.name)/playlist.m3u8"
            let entries = try Self.segments(ofPlaylist: job.outputDirectory.appendingPathComponent(playlistPath))
            var peak = 0.0
            var totalBits = 0.0
            var totalDuration = 0.0
            for entry in entries {
                let path = "\(name)/\(rendition.name)/\(entry.uri)"
                let file = try job.producedFile(
                    .hlsSegment, at: path, contentType: "video/mp2t", width: rendition.width, height: rendition.height,
                    duration: entry.duration)
                files.append(file)
                let bits = Double(file.size) * 8
                totalBits += bits
                totalDuration += entry.duration
                if entry.duration > 0 { peak = max(peak, bits / max(entry.duration, segment / 2)) }
            }
            try job.ensureComplete(
                outputDuration: totalDuration, expected: job.effectiveDuration, output: playlistPath, stderrTail: stderrTail)
            files.append(
                try job.producedFile(
                    .hlsPlaylist(rendition.name), at: playlistPath, contentType: "application/vnd.apple.mpegurl",
                    width: rendition.width, height: rendition.height, duration: totalDuration))
            let average = totalDuration > 0 ? totalBits / totalDuration : 0
            master += "#EXT-X-STREAM-INF:BANDWIDTH=\(Int(max(peak, average).rounded(.up))),AVERAGE-BANDWIDTH=\(Int(average.rounded(.up)))"
            master += ",RESOLUTION=\(rendition.width)x\(rendition.height)\(variantAttributes)\n\(rendition.name)/playlist.m3u8\n"
        }
        let masterPath = "\(name)/master.m3u8"
        do {
            try Data(master.utf8).write(to: job.outputDirectory.appendingPathComponent(masterPath), options: .atomic)
        } catch {
            throw MediaError(code: .outputFailed, message: "cannot write \(masterPath): \(error)")
        }
        files.insert(
            try job.producedFile(.hlsMaster, at: masterPath, contentType: "application/vnd.apple.mpegurl", duration: job.info.duration),
            at: 0)
        return files
    }

    /// The segments (`#EXTINF` duration and URI) of a media playlist FFmpeg wrote.
    static func segments(ofPlaylist url: URL) throws(MediaError) -> [(duration: Double, uri: String)] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw MediaError(code: .ffmpegFailed, message: "FFmpeg did not write \(url.lastPathComponent)")
        }
        var entries: [(duration: Double, uri: String)] = []
        var pending: Double?
        for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("#EXTINF:") {
                pending = Double(line.dropFirst("#EXTINF:".count).prefix { $0 != "," })
            } else if !line.isEmpty, !line.hasPrefix("#"), let duration = pending {
                // FFmpeg writes bare file names; anything else would not be ours.
                guard !line.contains("/"), !line.contains("..") else {
                    throw MediaError(code: .outputFailed, message: "unexpected segment URI \(line)")
                }
                entries.append((duration, line))
                pending = nil
            }
        }
        guard !entries.isEmpty else { throw MediaError(code: .ffmpegFailed, message: "\(url.lastPathComponent) lists no segments") }
        return entries
    }
}
