import Foundation
import Testing

@testable import MediaProcessing

@Suite("Job handlers against real FFmpeg")
struct HandlerTests {
    @Test func probeReadsTheStreams() async throws {
        let media = try await TestMedia.get()
        let info = try await MediaProbe().probe(media.hd)
        #expect(info.formatName.contains("mp4"))
        #expect(abs((info.duration ?? 0) - 2) < 0.1)
        #expect((info.size ?? 0) > 0)
        #expect((info.bitRate ?? 0) > 0)
        let video = try #require(info.videoStream)
        #expect(video.codec == "h264")
        #expect(video.width == 1280 && video.height == 720)
        #expect(video.frameRate == 25)
        #expect(video.pixelFormat == "yuv420p")
        let audio = try #require(info.audioStream)
        #expect(audio.codec == "aac")
        #expect(audio.channels == 1)
        #expect(audio.sampleRate == 48000)
        #expect(try await MediaProbe().probe(media.silent).hasAudio == false)
    }

    @Test func transcodeMakesH264AACRenditionsWithoutUpscaling() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let log = ProgressLog()
        let context = try await makeContext(input: media.hd, directory: directory, log: log)
        let files = try await TranscodeHandler().run(context)

        #expect(files.map(\.kind) == [.transcode("720p"), .transcode("480p")])  // no 1080p from a 720p source
        #expect(files.map(\.relativePath) == ["transcode/720p.mp4", "transcode/480p.mp4"])
        for (file, size) in zip(files, [(1280, 720), (854, 480)]) {
            let probed = try await Probed.of(file.url(in: directory))
            #expect(probed.video?.codec_name == "h264")
            #expect(probed.video?.pix_fmt == "yuv420p")
            #expect(probed.audio?.codec_name == "aac")
            #expect(probed.video?.width == size.0 && probed.video?.height == size.1)
            #expect(abs(probed.duration - 2) < 0.2)
            #expect(file.width == size.0 && file.height == size.1)
            #expect(file.contentType == "video/mp4")
            #expect(file.size > 0)
            // +faststart: the index comes before the media data.
            let data = try Data(contentsOf: file.url(in: directory))
            let moov = try #require(data.range(of: Data("moov".utf8)))
            let mdat = try #require(data.range(of: Data("mdat".utf8)))
            #expect(moov.lowerBound < mdat.lowerBound)
        }
        #expect(log.isMonotonicToHundred, "progress: \(log.all)")
        #expect(log.all.count >= 2)
    }

    @Test func transcodeOfSmallSilentSourceMakesOneRenditionAtItsSize() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        // One thread everywhere (`-threads 1`, `-filter_threads 1`).
        let runner = FFmpegRunner(configuration: FFmpegConfiguration(threads: 1))
        let context = try await makeContext(input: media.silent, directory: directory, runner: runner)
        let files = try await TranscodeHandler().run(context)
        #expect(files.map(\.kind) == [.transcode("240p")])
        let probed = try await Probed.of(files[0].url(in: directory))
        #expect(probed.video?.width == 320 && probed.video?.height == 240)
        #expect(probed.audio == nil)
        // A rerun overwrites the same names.
        let again = try await TranscodeHandler().run(context)
        #expect(again.map(\.relativePath) == files.map(\.relativePath))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("transcode").path) == ["240p.mp4"])
    }

    @Test func hlsWritesALadderAndAMasterPlaylist() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let log = ProgressLog()
        var options = fastOptions
        options.renditionHeights = [1080, 240, 160]  // 1080 is above the 240-line source: skipped
        options.hlsSegmentDuration = 1
        let context = try await makeContext(input: media.small, directory: directory, options: options, log: log)
        let files = try await HLSHandler().run(context)

        let master = try String(contentsOf: directory.appendingPathComponent("hls/master.m3u8"), encoding: .utf8)
        #expect(master.hasPrefix("#EXTM3U\n"))
        #expect(master.contains("#EXT-X-INDEPENDENT-SEGMENTS"))
        #expect(master.contains("RESOLUTION=320x240"))
        #expect(master.contains("RESOLUTION=214x160"))
        #expect(!master.contains("1080"))
        #expect(master.contains("240p/playlist.m3u8"))
        #expect(master.contains("160p/playlist.m3u8"))
        let bandwidths = master.split(separator: "\n").filter { $0.hasPrefix("#EXT-X-STREAM-INF") }.compactMap { line in
            line.split(separator: ",").first { $0.hasPrefix("#EXT-X-STREAM-INF:BANDWIDTH=") }.flatMap { Int($0.split(separator: "=")[1]) }
        }
        #expect(bandwidths.count == 2)
        #expect(bandwidths.allSatisfy { $0 > 0 })

        #expect(files.first?.kind == .hlsMaster)
        #expect(files.contains { $0.kind == .hlsPlaylist("240p") })
        #expect(files.contains { $0.kind == .hlsPlaylist("160p") })
        let segments = files.filter { $0.kind == .hlsSegment }
        #expect(segments.count >= 4)  // 3 s in 1 s segments, two renditions
        #expect(segments.allSatisfy { $0.contentType == "video/mp2t" && $0.size > 0 })
        let total = segments.filter { $0.relativePath.hasPrefix("hls/240p/") }.compactMap(\.duration).reduce(0, +)
        #expect(abs(total - 3) < 0.3)
        let first = try #require(segments.first)
        let probed = try await Probed.of(first.url(in: directory))
        #expect(probed.video?.codec_name == "h264")
        #expect(probed.audio?.codec_name == "aac")
        #expect(log.isMonotonicToHundred, "progress: \(log.all)")
    }

    @Test func thumbnailsMakePosterSpriteAndFrames() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        var options = fastOptions
        options.thumbnailCount = 6
        options.spriteColumns = 3
        options.thumbnailWidth = 80
        let context = try await makeContext(input: media.small, directory: directory, options: options)
        let files = try await ThumbnailsHandler().run(context)

        let poster = try #require(files.first { $0.kind == .thumbnailPoster })
        let probedPoster = try await Probed.of(poster.url(in: directory))
        #expect(probedPoster.video?.codec_name == "mjpeg")
        #expect(probedPoster.video?.width == 320 && probedPoster.video?.height == 240)

        let sprite = try #require(files.first { $0.kind == .thumbnailSprite })
        let probedSprite = try await Probed.of(sprite.url(in: directory))
        #expect(probedSprite.video?.width == 3 * 80 && probedSprite.video?.height == 2 * 60)
        #expect(sprite.width == 240 && sprite.height == 120)

        let frames = files.filter { $0.kind == .thumbnailFrame }
        #expect(frames.map(\.relativePath) == (0..<6).map { String(format: "thumbnails/frame_%03d.jpg", $0) })
        let probedFrame = try await Probed.of(frames[5].url(in: directory))
        #expect(probedFrame.video?.width == 80 && probedFrame.video?.height == 60)
        // The frames differ (evenly spaced, testsrc2 moves): not all the same bytes.
        let first = try Data(contentsOf: frames[0].url(in: directory))
        let last = try Data(contentsOf: frames[5].url(in: directory))
        #expect(first != last)
    }

    @Test func cutAnalysisFindsTheCutsOfTheConcatenatedVideo() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let log = ProgressLog()
        let context = try await makeContext(input: media.scenes, directory: directory, log: log)
        let files = try await CutAnalysisHandler().run(context)

        let json = try #require(files.first { $0.kind == .cutAnalysisJSON })
        #expect(json.relativePath == "cut_analysis/cuts.json")
        let report = try JSONDecoder().decode(CutAnalysisReport.self, from: Data(contentsOf: json.url(in: directory)))
        #expect(report.cuts.count == 2, "cuts: \(report.cuts)")
        #expect(abs(report.cuts[0].time - 1) < 0.1 && abs(report.cuts[1].time - 2) < 0.1)
        #expect(report.cuts.allSatisfy { $0.score > 0.3 && $0.score <= 1 })
        #expect(report.clips.count == 3)
        #expect(report.clips.first?.start == 0)
        #expect(abs((report.clips.last?.end ?? 0) - 3) < 0.1)

        let clips = files.filter { $0.kind == .cutAnalysisClip }
        #expect(clips.map(\.relativePath) == ["cut_analysis/clip_000.mp4", "cut_analysis/clip_001.mp4", "cut_analysis/clip_002.mp4"])
        for clip in clips {
            let probed = try await Probed.of(clip.url(in: directory))
            #expect(probed.video?.codec_name == "h264")
            #expect(probed.audio?.codec_name == "aac")
            #expect(abs(probed.duration - 1) < 0.2, "clip \(clip.relativePath) lasts \(probed.duration)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("cut_analysis/scene_scores.txt").path))
        #expect(log.isMonotonicToHundred, "progress: \(log.all)")
    }

    @Test func audioIs16kHzMonoPCM() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let log = ProgressLog()
        let context = try await makeContext(input: media.small, directory: directory, log: log)
        let files = try await AudioExtractionHandler().run(context)
        #expect(files.map(\.relativePath) == ["audio/audio.wav"])
        #expect(files[0].contentType == "audio/wav")
        let probed = try await Probed.of(files[0].url(in: directory))
        #expect(probed.format.format_name == "wav")
        #expect(probed.audio?.codec_name == "pcm_s16le")
        #expect(probed.audio?.sample_rate == "16000")
        #expect(probed.audio?.channels == 1)
        #expect(abs(probed.duration - 3) < 0.1)
        #expect(log.isMonotonicToHundred, "progress: \(log.all)")
    }

    @Test func audioOfASilentVideoIsAPermanentError() async throws {
        let media = try await TestMedia.get()
        let context = try await makeContext(input: media.silent, directory: try media.jobDirectory())
        let error = await mediaError { _ = try await AudioExtractionHandler().run(context) }
        #expect(error?.code == .noAudioStream)
        #expect(error?.isPermanent == true)
    }

    @Test func pipelineRunsJobsInSequenceWithOverallProgress() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let overall = ProgressLog()
        var options = fastOptions
        options.thumbnailCount = 2
        let pipeline = MediaJobPipeline(options: options)
        let results = try await pipeline.run(jobs: ["audio", "thumbnails"], input: media.small, outputDirectory: directory) { progress in
            overall.append(progress.overallPercent)
        }
        #expect(results.map(\.job) == ["audio", "thumbnails"])
        #expect(results[0].files.map(\.kind) == [.audioWAV])
        #expect(results[1].files.contains { $0.kind == .thumbnailSprite })
        #expect(overall.isMonotonicToHundred, "progress: \(overall.all)")
        #expect(overall.all.contains(50))

        let unknown = await mediaError {
            _ = try await pipeline.run(jobs: ["audio", "nope"], input: media.small, outputDirectory: directory)
        }
        #expect(unknown?.code == .unknownJobType)
        #expect(unknown?.isPermanent == true)
    }
}
