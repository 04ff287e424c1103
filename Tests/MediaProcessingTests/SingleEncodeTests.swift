import Foundation
import Testing
import VideoCore

@testable import MediaProcessing

@Suite("Job plan")
struct MediaJobPlanTests {
    @Test("transcode with hls and thumbnails is one step at the place of the first of them; the others keep their order")
    func transcodeHLSAndThumbnailsShareOneStep() {
        let plan = MediaJobPlan(jobs: ["cut_analysis", "hls", "audio", "thumbnails", "transcode"], encodesOnce: true)
        #expect(plan.steps.map(\.jobs) == [["cut_analysis"], ["transcode", "hls", "thumbnails"], ["audio"]])
        #expect(plan.jobCount == 5)
        #expect(plan.steps[1].isSingleEncode)
        #expect(MediaJobPlan(jobs: ["thumbnails", "transcode"], encodesOnce: true).steps.map(\.jobs) == [["transcode", "thumbnails"]])
        #expect(MediaJobPlan(jobs: ["hls", "transcode"], encodesOnce: true).steps.map(\.jobs) == [["transcode", "hls"]])
    }

    @Test("without encoding once, or without transcode, every job is its own step")
    func eachJobAloneOtherwise() {
        #expect(MediaJobPlan(jobs: ["transcode", "hls"], encodesOnce: false).steps.map(\.jobs) == [["transcode"], ["hls"]])
        #expect(MediaJobPlan(jobs: ["hls", "thumbnails"], encodesOnce: true).steps.map(\.jobs) == [["hls"], ["thumbnails"]])
        #expect(MediaJobPlan(jobs: ["transcode"], encodesOnce: true).steps.map(\.jobs) == [["transcode"]])
        #expect(MediaJobPlan(jobs: [], encodesOnce: true).steps.isEmpty)
    }

    @Test("a job named twice runs once")
    func duplicatesDropped() {
        let plan = MediaJobPlan(jobs: ["hls", "transcode", "hls", "transcode", "audio", "audio"], encodesOnce: true)
        #expect(plan.steps.map(\.jobs) == [["transcode", "hls"], ["audio"]])
        #expect(plan.jobCount == 3)
    }
}

@Suite("Single encode against real FFmpeg")
struct SingleEncodeTests {
    @Test("transcode, hls and thumbnails from one encode: the same files as each job alone, segments cut on the target, MP4s faststart, the same thumbnails")
    func singleEncodeWritesWhatEachJobWrites() async throws {
        let media = try await TestMedia.get()
        var options = fastOptions
        options.renditionHeights = [240, 160]
        options.hlsSegmentDuration = 1
        options.thumbnailCount = 6
        let overall = ProgressLog()
        let shared = try media.jobDirectory()
        let jobs = ["hls", "thumbnails", "transcode"]
        let results = try await MediaJobPipeline(options: options).run(jobs: jobs, input: media.small, outputDirectory: shared) {
            overall.append($0.overallPercent)
        }
        let perJob = try media.jobDirectory()
        let separate = try await MediaJobPipeline(options: options, encodesOnce: false).run(jobs: jobs, input: media.small, outputDirectory: perJob)

        // Results per job, with the same names as the per-job pipeline's.
        #expect(Set(results.map(\.job)) == Set(jobs))
        let byJob = Dictionary(uniqueKeysWithValues: results.map { ($0.job, $0.files) })
        let separateByJob = Dictionary(uniqueKeysWithValues: separate.map { ($0.job, $0.files) })
        // The thumbnails: the same frames (dimensions equal, pictures alike: both take the frame at each time).
        for (file, other) in zip(byJob["thumbnails"] ?? [], separateByJob["thumbnails"] ?? []) {
            #expect(file.relativePath == other.relativePath && file.width == other.width && file.height == other.height)
        }
        let psnr = try await runTool(
            "ffmpeg",
            [
                "-i", shared.appendingPathComponent("thumbnails/sprite.jpg").path, "-i", perJob.appendingPathComponent("thumbnails/sprite.jpg").path,
                "-lavfi", "psnr=stats_file=-", "-f", "null", "-",
            ])
        let average =
            String(decoding: psnr, as: UTF8.self).split(separator: " ").first { $0.hasPrefix("psnr_avg:") }
            .flatMap { Double($0.dropFirst("psnr_avg:".count)) } ?? 0
        #expect(average > 30 || average == 0 && String(decoding: psnr, as: UTF8.self).contains("inf"), "sprites differ: \(average) dB")
        for job in jobs {
            #expect(byJob[job]?.map(\.relativePath).sorted() == separateByJob[job]?.map(\.relativePath).sorted())
            #expect(byJob[job]?.allSatisfy { $0.relativePath.hasPrefix(job + "/") } == true)
        }
        #expect(overall.isMonotonicToHundred, "progress: \(overall.all)")

        // The MP4s: faststart, complete.
        for file in byJob["transcode"] ?? [] {
            let data = try Data(contentsOf: file.url(in: shared))
            let moov = try #require(data.range(of: Data("moov".utf8)))
            let mdat = try #require(data.range(of: Data("mdat".utf8)))
            #expect(moov.lowerBound < mdat.lowerBound)
            #expect(abs((file.duration ?? 0) - 3) < 0.2)
        }
        // The segments: every one readable, each but the last as long as the target, H.264 + AAC.
        let master = try String(contentsOf: shared.appendingPathComponent("hls/master.m3u8"), encoding: .utf8)
        #expect(master.contains("RESOLUTION=320x240") && master.contains("RESOLUTION=214x160"))
        for rendition in ["240p", "160p"] {
            let segments = (byJob["hls"] ?? []).filter { $0.kind == .hlsSegment && $0.relativePath.hasPrefix("hls/\(rendition)/") }
            #expect(segments.count == 3)
            for (index, segment) in segments.enumerated() {
                let probed = try await Probed.of(segment.url(in: shared))
                #expect(probed.video?.codec_name == "h264")
                #expect(probed.audio?.codec_name == "aac")
                if index < segments.count - 1 { #expect(abs((segment.duration ?? 0) - 1) < 0.1, "\(segment.relativePath)") }
            }
        }
    }

    @Test("a silent source: the single encode makes video-only MP4s and segments")
    func silentSource() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        var options = fastOptions
        options.hlsSegmentDuration = 1
        let results = try await MediaJobPipeline(options: options).run(
            jobs: ["transcode", "hls"], input: media.silent, outputDirectory: directory)
        let segment = try #require(results.last?.files.first { $0.kind == .hlsSegment })
        let probed = try await Probed.of(segment.url(in: directory))
        #expect(probed.video?.codec_name == "h264")
        #expect(probed.audio == nil)
    }
}

@Suite("Codecs against real FFmpeg")
struct CodecTests {
    @Test(
        "HEVC and AV1: MP4s in the codec, HLS in fMP4 segments (init.mp4 + .m4s) cut on the target, from one encode",
        arguments: [VideoCodec.hevc, .av1])
    func fmp4Ladder(codec: VideoCodec) async throws {
        let media = try await TestMedia.get()
        var options = fastOptions
        options.codec = codec
        options.crf = 35
        options.renditionHeights = [160]
        options.hlsSegmentDuration = 1
        let directory = try media.jobDirectory()
        let results = try await MediaJobPipeline(options: options).run(jobs: ["transcode", "hls"], input: media.small, outputDirectory: directory)
        let mp4 = try #require(results.first { $0.job == "transcode" }?.files.first)
        #expect(try await Probed.of(mp4.url(in: directory)).video?.codec_name == codec.rawValue)
        let hls = try #require(results.first { $0.job == "hls" }?.files)
        let initialization = try #require(hls.first { $0.kind == .hlsInitialization })
        #expect(initialization.relativePath == "hls/160p/init.mp4")
        let segments = hls.filter { $0.kind == .hlsSegment }
        #expect(segments.count == 3)
        #expect(segments.allSatisfy { $0.relativePath.hasSuffix(".m4s") })
        for segment in segments.dropLast() { #expect(abs((segment.duration ?? 0) - 1) < 0.1, "\(segment.relativePath): \(segment.duration ?? 0)") }
        // FFmpeg plays the rendition through its playlist.
        let probed = try await Probed.of(directory.appendingPathComponent("hls/160p/playlist.m3u8"))
        #expect(probed.video?.codec_name == codec.rawValue)
        #expect(abs(probed.duration - 3) < 0.3)
    }

    @Test("a codec the installed FFmpeg cannot encode fails as invalid_options before anything runs")
    func unavailableCodec() async throws {
        let media = try await TestMedia.get()
        var pipeline = MediaJobPipeline(options: MediaJobOptions(codec: .av1))
        pipeline.availableCodecs = [.h264]
        let error = await mediaError { _ = try await pipeline.run(jobs: ["transcode"], input: media.small, outputDirectory: try media.jobDirectory()) }
        #expect(error?.code == .invalidOptions)
        #expect(error?.isPermanent == true)
        // Jobs that encode no video do not care.
        _ = try await pipeline.run(jobs: ["audio"], input: media.small, outputDirectory: try media.jobDirectory())
    }

    @Test("a thumbnail interval makes as many frames as fit, at most 100")
    func thumbnailInterval() {
        var options = MediaJobOptions(thumbnailInterval: 2)
        #expect(ThumbnailsHandler.count(options: options, duration: 9) == 4)
        #expect(ThumbnailsHandler.count(options: options, duration: 1) == 1)
        #expect(ThumbnailsHandler.count(options: options, duration: 10_000) == 100)
        options.thumbnailInterval = nil
        #expect(ThumbnailsHandler.count(options: options, duration: 10_000) == options.thumbnailCount)
    }
}
