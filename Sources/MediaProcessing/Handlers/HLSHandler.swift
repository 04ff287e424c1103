import Foundation
import VideoCore

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
            output += EncoderArguments.keyframes(every: segment, options: job.options, frameRate: video.frameRate, strict: true)
            if job.info.hasAudio { output += EncoderArguments.audio(options: job.options, source: job.info.audioStream) }
            output += EncoderArguments.stripMetadata + job.runner.outputThreadArguments
            output += Self.muxerArguments(for: rendition, segmentDuration: segment, codec: job.options.codec)
        }
        // The HLS muxer ignores `-fs` (each segment is a file of its own): the directory is watched instead.
        let invocation = FFmpegInvocation(
            inputs: [job.cappedInput()], outputArguments: output, expectedDuration: job.effectiveDuration,
            workingDirectory: job.outputDirectory, outputLimit: job.outputLimit(for: name))
        let result = try await job.runner.run(invocation, progress: job.ffmpegProgress())
        let files = try await Self.describe(renditions, of: job, stderrTail: result.stderrTail)
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

    /// The HLS muxer's arguments for one rendition's output: a VOD playlist of segments cut on the keyframes at
    /// `segmentDuration` multiples, `hls/<rendition>/playlist.m3u8` with MPEG-TS segments (`segment_NNN.ts`) for
    /// H.264, fMP4 ones (`init.mp4`, `segment_NNN.m4s`) for HEVC and AV1, which MPEG-TS players do not take.
    static func muxerArguments(for rendition: Rendition, segmentDuration: Double, codec: VideoCodec) -> [String] {
        var arguments = ["-f", "hls", "-hls_time", String(segmentDuration), "-hls_playlist_type", "vod", "-hls_flags", "independent_segments"]
        if codec == .h264 {
            arguments += ["-hls_segment_type", "mpegts", "-hls_segment_filename", "hls/\(rendition.name)/segment_%03d.ts"]
        } else {
            arguments += [
                "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
                "-hls_segment_filename", "hls/\(rendition.name)/segment_%03d.m4s",
            ]
        }
        return arguments + ["hls/\(rendition.name)/playlist.m3u8"]
    }

    /// Describes the ladder FFmpeg wrote (every segment, each rendition's playlist) and writes the master
    /// playlist, whose `BANDWIDTH` (peak segment bit rate), `AVERAGE-BANDWIDTH` and `RESOLUTION` are measured
    /// from the segments. With captions (an earlier `transcribe`), the master names them as a `SUBTITLES` group
    /// (``subtitles(_:of:firstSegment:)``).
    static func describe(_ renditions: [Rendition], of job: MediaJobContext, stderrTail: [String]) async throws -> [ProducedFile] {
        let name = "hls"
        let segment = job.options.hlsSegmentDuration
        var files: [ProducedFile] = []
        var variants = ""
        for rendition in renditions {
            let playlistPath = "\(name)/\(rendition.name)/playlist.m3u8"
            let playlist = try Self.segments(ofPlaylist: job.outputDirectory.appendingPathComponent(playlistPath))
            let entries = playlist.segments
            if let initialization = playlist.initialization {
                files.append(
                    try job.producedFile(
                        .hlsInitialization, at: "\(name)/\(rendition.name)/\(initialization)", contentType: "video/mp4",
                        width: rendition.width, height: rendition.height))
            }
            var peak = 0.0
            var totalBits = 0.0
            var totalDuration = 0.0
            for entry in entries {
                let path = "\(name)/\(rendition.name)/\(entry.uri)"
                let file = try job.producedFile(
                    .hlsSegment, at: path, contentType: entry.uri.hasSuffix(".ts") ? "video/mp2t" : "video/iso.segment",
                    width: rendition.width, height: rendition.height, duration: entry.duration)
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
            variants += "#EXT-X-STREAM-INF:BANDWIDTH=\(Int(max(peak, average).rounded(.up))),AVERAGE-BANDWIDTH=\(Int(average.rounded(.up)))"
            variants += ",RESOLUTION=\(rendition.width)x\(rendition.height)"
            variants += (job.captions == nil ? "" : ",SUBTITLES=\"\(Self.subtitlesGroup)\"") + "\n\(rendition.name)/playlist.m3u8\n"
        }
        var master = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        if let captions = job.captions, let first = files.first(where: { $0.kind == .hlsSegment }) {
            let subtitles = try await Self.subtitles(captions, of: job, firstSegment: first)
            files += subtitles.files
            master += subtitles.tag + "\n"
        }
        master += variants
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

    /// The `GROUP-ID` of the captions.
    static let subtitlesGroup = "subtitles"

    /// The captions as an HLS subtitles rendition: `hls/subtitles/captions.vtt` (WebVTT whose `X-TIMESTAMP-MAP`
    /// ties its zero to the first segment's MPEG-TS timestamp, so cues line up with the picture) in a one-segment
    /// `hls/subtitles/playlist.m3u8`, and the master playlist's `#EXT-X-MEDIA` tag for them.
    static func subtitles(
        _ captions: CaptionTrack, of job: MediaJobContext, firstSegment: ProducedFile
    ) async throws -> (files: [ProducedFile], tag: String) {
        let start = try await job.probe.probe(firstSegment.url(in: job.outputDirectory), limits: .unlimited).startTime ?? 0
        let pts = Int((max(0, start) * 90_000).rounded())
        let duration = max(captions.transcript.duration, job.info.duration ?? 0)
        let vtt = CaptionFormat.webVTT(captions.transcript, timestampMap: "MPEGTS:\(pts),LOCAL:00:00:00.000")
        let playlist = """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-TARGETDURATION:\(Int(duration.rounded(.up)))
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXTINF:\(String(format: "%.3f", duration)),
            captions.vtt
            #EXT-X-ENDLIST

            """
        let directory = job.outputDirectory.appendingPathComponent("hls/subtitles", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(vtt.utf8).write(to: directory.appendingPathComponent("captions.vtt"), options: .atomic)
            try Data(playlist.utf8).write(to: directory.appendingPathComponent("playlist.m3u8"), options: .atomic)
        } catch {
            throw MediaError(code: .outputFailed, message: "cannot write the HLS subtitles: \(error)")
        }
        let files = [
            try job.producedFile(.hlsSubtitlesPlaylist, at: "hls/subtitles/playlist.m3u8", contentType: "application/vnd.apple.mpegurl", duration: duration),
            try job.producedFile(.hlsSubtitles, at: "hls/subtitles/captions.vtt", contentType: "text/vtt", duration: duration),
        ]
        let language = captions.language
        let name = Locale(identifier: "en").localizedString(forLanguageCode: language) ?? language
        let tag =
            "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"\(subtitlesGroup)\",NAME=\"\(name)\",LANGUAGE=\"\(language)\","
            + "DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"subtitles/playlist.m3u8\""
        return (files, tag)
    }

    /// The segments (`#EXTINF` duration and URI) of a media playlist FFmpeg wrote, and its initialization segment
    /// (`#EXT-X-MAP`, fMP4 only).
    static func segments(ofPlaylist url: URL) throws(MediaError) -> (segments: [(duration: Double, uri: String)], initialization: String?) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw MediaError(code: .ffmpegFailed, message: "FFmpeg did not write \(url.lastPathComponent)")
        }
        var entries: [(duration: Double, uri: String)] = []
        var pending: Double?
        var initialization: String?
        for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("#EXT-X-MAP:URI=\""), let uri = line.dropFirst("#EXT-X-MAP:URI=\"".count).split(separator: "\"").first {
                guard !uri.contains("/"), !uri.contains("..") else {
                    throw MediaError(code: .outputFailed, message: "unexpected initialization URI \(uri)")
                }
                initialization = String(uri)
            } else if line.hasPrefix("#EXTINF:") {
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
        return (entries, initialization)
    }
}
