import Foundation
import Testing

@testable import MediaProcessing

/// Files whose streams cost more to open and decode than their size suggests, and outputs that would outgrow the
/// disk: refused by the probe with their own codes, or stopped while FFmpeg writes.
@Suite("Stream, rate and output limits", .serialized)
struct ResourceLimitTests {
    /// `count` copies of one 64×48 H.264 stream (1 s), in Matroska.
    static func manyVideoStreams(_ count: Int, in directory: URL) async throws -> URL {
        let output = directory.appendingPathComponent("streams-\(count).mkv")
        try await runTool(
            "ffmpeg",
            ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-t", "1"] + Array(repeating: ["-map", "0:v"], count: count).flatMap { $0 }
                + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", output.path])
        return output
    }

    /// A 64×48 video (1 s) with one PCM audio stream of `channels` channels at `sampleRate` Hz, in Matroska.
    static func pcmAudio(sampleRate: Int, channels: Int, in directory: URL) async throws -> URL {
        let output = directory.appendingPathComponent("pcm-\(sampleRate)-\(channels).mkv")
        let source = "aevalsrc=exprs=" + Array(repeating: "sin(440*2*PI*t)", count: channels).joined(separator: "|") + ":s=\(sampleRate)"
        try await runTool(
            "ffmpeg",
            [
                "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-f", "lavfi", "-i", source, "-t", "1", "-map", "0:v", "-map", "1:a",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", output.path,
            ])
        return output
    }

    /// A 64×48 video at `rate` fps (1 s) in `container` (`mp4` declares the average rate; Matroska at 1000 fps
    /// declares none, only `r_frame_rate`).
    static func frameRate(_ rate: Int, container: String, in directory: URL) async throws -> URL {
        let output = directory.appendingPathComponent("rate-\(rate).\(container)")
        try await runTool(
            "ffmpeg",
            [
                "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=\(rate)", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                output.path,
            ])
        return output
    }

    @Test func aFileWithMoreStreamsThanTheLimitIsRefusedByTheDemuxerAndByTheCheck() async throws {
        let media = try await TestMedia.get()
        let input = try await Self.manyVideoStreams(20, in: try media.jobDirectory())
        // The demuxer stops at `-max_streams` (before opening a decoder for each stream).
        let refused = await mediaError { _ = try await MediaProbe().probe(input) }
        #expect(refused?.code == .tooManyStreams, "\(String(describing: refused))")
        #expect(refused?.isPermanent == true)
        // Without the demuxer's limit, the check refuses it all the same.
        var limits = ProbeLimits.default
        limits.maximumVideoStreams = 100
        let unguarded = MediaProbe(configuration: FFmpegConfiguration(maximumStreams: nil), limits: limits)
        #expect(await mediaError { _ = try await unguarded.probe(input) }?.code == .tooManyStreams)
        // Within a raised limit it is read.
        limits.maximumStreams = 20
        let raised = try await MediaProbe(configuration: FFmpegConfiguration(maximumStreams: 20), limits: limits).probe(input)
        #expect(raised.streams.count == 20)
    }

    @Test func aFileWithMoreVideoStreamsThanTheLimitIsRefused() async throws {
        let media = try await TestMedia.get()
        let input = try await Self.manyVideoStreams(5, in: try media.jobDirectory())
        let error = await mediaError { _ = try await MediaProbe().probe(input) }
        #expect(error?.code == .tooManyVideoStreams, "\(String(describing: error))")
        #expect(error?.isPermanent == true)
    }

    @Test func audioAboveTheSampleRateLimitIsRefused() async throws {
        let media = try await TestMedia.get()
        let input = try await Self.pcmAudio(sampleRate: 384_000, channels: 1, in: try media.jobDirectory())
        let error = await mediaError { _ = try await MediaProbe().probe(input) }
        #expect(error?.code == .sampleRateTooHigh, "\(String(describing: error))")
        #expect(error?.isPermanent == true)
    }

    @Test func audioWithMoreChannelsThanTheLimitIsRefused() async throws {
        let media = try await TestMedia.get()
        let input = try await Self.pcmAudio(sampleRate: 8000, channels: 32, in: try media.jobDirectory())
        let error = await mediaError { _ = try await MediaProbe().probe(input) }
        #expect(error?.code == .tooManyAudioChannels, "\(String(describing: error))")
        #expect(error?.isPermanent == true)
    }

    @Test func videoAboveTheFrameRateLimitIsRefusedWhetherItDeclaresItsAverageRateOrNot() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        // MP4: avg_frame_rate 1000/1.
        let declared = try await Self.frameRate(1000, container: "mp4", in: directory)
        let error = await mediaError { _ = try await MediaProbe().probe(declared) }
        #expect(error?.code == .frameRateTooHigh, "\(String(describing: error))")
        #expect(error?.isPermanent == true)
        // Matroska: avg_frame_rate 0/0, r_frame_rate 1000/1: the first packets are measured, and run at 1000 fps.
        let undeclared = try await Self.frameRate(1000, container: "mkv", in: directory)
        let raw = try JSONDecoder().decode(FFprobeOutput.self, from: try await runTool("ffprobe", ["-print_format", "json", "-show_streams", undeclared.path]))
        #expect(FFprobeOutput.rate(raw.streams?.first?.avg_frame_rate) == nil, "the file must declare no average rate")
        #expect(await mediaError { _ = try await MediaProbe().probe(undeclared) }?.code == .frameRateTooHigh)
        let measured = try #require(try await MediaProbe().measuredFrameRate(of: undeclared, stream: 0, limit: 240))
        #expect(abs(measured - 1000) < 1)
        // The measure of an ordinary file is its rate.
        let ordinary = try #require(try await MediaProbe().measuredFrameRate(of: media.small, stream: 0, limit: 240))
        #expect(abs(ordinary - 25) < 0.5)
    }

    /// 16 streams: 4 video (240 fps), one PCM audio at 192 kHz with 8 channels, 11 small audio streams.
    @Test func aFileJustWithinEveryLimitIsAcceptedAndOnlyItsFirstStreamsAreProcessed() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let input = directory.appendingPathComponent("within.mkv")
        let eight = "aevalsrc=exprs=" + Array(repeating: "sin(440*2*PI*t)", count: 8).joined(separator: "|") + ":s=192000"
        try await runTool(
            "ffmpeg",
            [
                "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=240", "-f", "lavfi", "-i", eight, "-f", "lavfi", "-i", "sine=sample_rate=8000",
                "-t", "1",
            ]
                + Array(repeating: ["-map", "0:v"], count: 4).flatMap { $0 } + ["-map", "1:a"]
                + Array(repeating: ["-map", "2:a"], count: 11).flatMap { $0 }
                + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", input.path])
        let info = try await MediaProbe().probe(input)
        #expect(info.streams.count == 16)
        #expect(info.streams.count { $0.type == .video } == 4)
        #expect(info.videoStream.map { abs(($0.frameRate ?? 0) - 240) < 0.5 } == true)
        #expect(info.audioStream?.sampleRate == 192_000 && info.audioStream?.channels == 8)

        // Each run maps only the validated video stream and the first audio stream.
        let output = try media.jobDirectory()
        var options = fastOptions
        options.renditionHeights = [120]
        let context = MediaJobContext(input: input, info: info, outputDirectory: output, options: options)
        let transcoded = try #require(try await TranscodeHandler().run(context).first)
        let probed = try await Probed.of(transcoded.url(in: output))
        #expect(probed.streams.map(\.codec_type) == ["video", "audio"])
        let wav = try #require(try await AudioExtractionHandler().run(context).first)
        let audio = try await Probed.of(wav.url(in: output))
        #expect(audio.streams.count == 1 && audio.audio?.sample_rate == "16000" && audio.audio?.channels == 1)
    }

    /// 30 s of noise at 640×360 (several MB once encoded), with audio; made once.
    static let noise = Task<URL, any Error> {
        let output = try await TestMedia.get().jobDirectory("noise").appendingPathComponent("noise.mp4")
        try await runTool(
            "ffmpeg",
            [
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", "30",
                "-vf", "noise=alls=80:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p", "-c:a", "aac",
                output.path,
            ])
        return output
    }

    @Test func anHLSJobWhoseSegmentsOutgrowItsShareOfTheDiskIsStoppedAsInsufficientDiskSpace() async throws {
        let media = try await TestMedia.get()
        let input = try await Self.noise.value
        let info = try await MediaProbe().probe(input)
        let output = try media.jobDirectory()
        var context = MediaJobContext(input: input, info: info, outputDirectory: output, options: fastOptions)
        context.outputAllowance = 256 << 10
        let error = await mediaError { _ = try await HLSHandler().run(context) }
        #expect(error?.code == .insufficientDiskSpace, "\(String(describing: error))")
        #expect(error?.isPermanent == false)
        // Stopped early: FFmpeg closes the playlist when stopped, with a few seconds of the 30 s in it.
        let playlist = output.appendingPathComponent("hls/360p/playlist.m3u8")
        if let segments = try? HLSHandler.segments(ofPlaylist: playlist).segments {
            #expect(segments.map(\.duration).reduce(0, +) < 15, "\(segments)")
        }
        // With room, the same job completes.
        context.outputAllowance = nil
        #expect(try await HLSHandler().run(context).contains { $0.kind == .hlsMaster })
    }

    @Test func aClipJobWhoseClipsOutgrowItsShareOfTheDiskIsStoppedAsInsufficientDiskSpace() async throws {
        let media = try await TestMedia.get()
        let input = try await Self.noise.value
        let info = try await MediaProbe().probe(input)
        let output = try media.jobDirectory()
        let progress = ProgressLog()
        var options = fastOptions
        options.sceneThreshold = 0.99
        var context = MediaJobContext(input: input, info: info, outputDirectory: output, options: options) { progress.append($0.percent) }
        context.outputAllowance = 256 << 10
        let error = await mediaError { _ = try await CutAnalysisHandler().run(context) }
        #expect(error?.code == .insufficientDiskSpace, "\(String(describing: error))")
        // The analysis finished (40 %); the clip's encode was stopped early (FFmpeg closes the clip when stopped, with
        // a few seconds of the 30 s in it).
        #expect(progress.all.contains(40), "\(progress.all)")
        let clip = output.appendingPathComponent("cut_analysis/clip_000.mp4")
        if FileManager.default.fileExists(atPath: clip.path) {
            #expect(try await Probed.of(clip).duration < 15)
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("cut_analysis/cuts.json").path))
    }

    @Test func theSceneScoresFileIsReadInChunksAndGivesTheCutsOfAWholeRead() throws {
        // A strobing input: a score line pair for every frame, 40 minutes at 25 fps (about 4 MB).
        var text = ""
        var frame = 0
        for second in 0..<2400 {
            for index in 0..<25 {
                let time = Double(second) + Double(index) / 25
                let score = Double((frame * 7919) % 1000) / 1000
                text += "frame:\(frame) pts:\(frame * 512) pts_time:\(time)\nlavfi.scene_score=\(score)\n"
                frame += 1
            }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scores-\(UUID().uuidString).txt")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        for (minimumClip, maximumClips) in [(0.5, 200), (2.0, 10), (0.01, 100), (0.01, 50_000)] {
            let streamed = CutAnalysisHandler.readCuts(from: url, duration: 2400, minimumClip: minimumClip, maximumClips: maximumClips)
            let whole = CutAnalysisHandler.selectCuts(
                CutAnalysisHandler.parseScores(text), duration: 2400, minimumClip: minimumClip, maximumClips: maximumClips)
            #expect(streamed == whole, "minimumClip \(minimumClip), maximumClips \(maximumClips)")
        }
        #expect(CutAnalysisHandler.readCuts(from: url.appendingPathExtension("missing"), duration: 10, minimumClip: 0.5, maximumClips: 5).isEmpty)
    }

    /// Every FFmpeg run of every handler (through a wrapper that records the arguments, then runs the real FFmpeg):
    /// each input of the job's file carries `-max_pixels`, `-max_streams` and `-t`.
    @Test func everyInputOfEveryHandlerIsReadWithThePixelStreamAndDurationCaps() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let log = directory.appendingPathComponent("arguments")
        try FileManager.default.createDirectory(at: log, withIntermediateDirectories: true)
        let wrapper = directory.appendingPathComponent("ffmpeg")
        let script = """
            #!/bin/sh
            printf '%s\\n' "$@" > "\(log.path)/$$.args"
            exec "\(FFmpegConfiguration.locate("ffmpeg"))" "$@"

            """
        try Data(script.utf8).write(to: wrapper)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let runner = FFmpegRunner(configuration: FFmpegConfiguration(ffmpegPath: wrapper.path))
        let info = try await MediaProbe().probe(media.scenes)
        let handlers: [any MediaJobHandler] = [
            TranscodeHandler(), HLSHandler(), ThumbnailsHandler(), CutAnalysisHandler(), AudioExtractionHandler(),
            SingleEncodeHandler(jobs: ["transcode", "hls", "thumbnails"]),
        ]
        for handler in handlers {
            let context = MediaJobContext(input: media.scenes, info: info, outputDirectory: try media.jobDirectory(), runner: runner, options: fastOptions)
            _ = try await handler.run(context)
        }
        let runs = try FileManager.default.contentsOfDirectory(at: log, includingPropertiesForKeys: nil).map {
            try String(contentsOf: $0, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(runs.count >= 8)
        var inputs = 0
        for arguments in runs {
            var start = 0
            for (position, argument) in arguments.enumerated() where argument == "-i" {
                let options = arguments[start..<position]
                #expect(options.contains("-max_pixels") && options.contains("-max_streams"), "\(arguments[position + 1])")
                #expect(options.contains("-t"), "no duration cap on \(arguments[position + 1])")
                start = position + 2
                inputs += 1
            }
        }
        #expect(inputs >= 18, "the thumbnails alone have 11 inputs")
    }
}
