import Foundation
import Testing

@testable import MediaProcessing

@Suite("Job plan")
struct MediaJobPlanTests {
    @Test("transcode and hls together are one step at the place of the first; the others keep their order")
    func transcodeAndHLSShareOneStep() {
        let plan = MediaJobPlan(jobs: ["thumbnails", "hls", "audio", "transcode"], encodesOnce: true)
        #expect(plan.steps.map(\.jobs) == [["thumbnails"], ["transcode", "hls"], ["audio"]])
        #expect(plan.jobCount == 4)
        #expect(plan.steps[1].isSingleEncode)
    }

    @Test("without encoding once, or with only one of the two, every job is its own step")
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
    @Test("transcode and hls from one encode: the same files as each job alone, segments cut on the target, MP4s faststart")
    func singleEncodeWritesWhatBothJobsWrite() async throws {
        let media = try await TestMedia.get()
        var options = fastOptions
        options.renditionHeights = [240, 160]
        options.hlsSegmentDuration = 1
        let overall = ProgressLog()
        let shared = try media.jobDirectory()
        let results = try await MediaJobPipeline(options: options).run(
            jobs: ["hls", "transcode"], input: media.small, outputDirectory: shared
        ) { overall.append($0.overallPercent) }
        let perJob = try media.jobDirectory()
        let separate = try await MediaJobPipeline(options: options, encodesOnce: false).run(
            jobs: ["hls", "transcode"], input: media.small, outputDirectory: perJob)

        // Results per job, in the order asked, with the same names as the per-job pipeline's.
        #expect(results.map(\.job) == ["transcode", "hls"] || results.map(\.job) == ["hls", "transcode"])
        let byJob = Dictionary(uniqueKeysWithValues: results.map { ($0.job, $0.files) })
        let separateByJob = Dictionary(uniqueKeysWithValues: separate.map { ($0.job, $0.files) })
        for job in ["transcode", "hls"] {
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
