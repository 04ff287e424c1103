import Foundation
import Testing

@testable import MediaProcessing

@Suite("Progress parser, ladder, limits, cut selection, disk space (no FFmpeg)")
struct UnitTests {
    /// What `ffmpeg -progress pipe:1` prints (ffmpeg 5.1), two blocks then the end.
    static let canned = """
        frame=10
        fps=0.00
        stream_0_0_q=28.0
        bitrate=N/A
        total_size=48
        out_time_us=400000
        out_time_ms=400000
        out_time=00:00:00.400000
        dup_frames=0
        drop_frames=0
        speed=0.8x
        progress=continue
        frame=50
        fps=49.50
        bitrate= 120.3kbits/s
        total_size=30000
        out_time_us=2000000
        out_time_ms=2000000
        out_time=00:00:02.000000
        speed=   2x
        progress=continue
        frame=100
        out_time_us=4000000
        speed=2.1x
        progress=end

        """

    @Test func parsesCannedProgressBlocks() {
        var parser = FFmpegProgressParser(expectedDuration: 4)
        var reports: [FFmpegProgress] = []
        for line in Self.canned.split(separator: "\n", omittingEmptySubsequences: false) {
            if let report = parser.consume(line: String(line)) { reports.append(report) }
        }
        #expect(reports.count == 3)
        #expect(reports[0].outTime == 0.4)
        #expect(reports[0].percent == 10)
        #expect(reports[0].speed == 0.8)
        #expect(reports[0].frame == 10)
        #expect(reports[0].estimatedTimeRemaining == 3.6 / 0.8)
        #expect(reports[1].percent == 50)
        #expect(reports[1].speed == 2)
        #expect(reports[1].estimatedTimeRemaining == 1)
        #expect(reports[2].isEnd)
        #expect(reports[2].percent == 100)
        #expect(reports[2].estimatedTimeRemaining == 0)
    }

    @Test func fallsBackToOutTimeMsThenClock() {
        var parser = FFmpegProgressParser(expectedDuration: 10)
        _ = parser.consume(line: "out_time_ms=2500000")
        #expect(parser.consume(line: "progress=continue")?.percent == 25)
        _ = parser.consume(line: "out_time_us=N/A")
        _ = parser.consume(line: "out_time=00:00:05.000000")
        #expect(parser.consume(line: "progress=continue")?.outTime == 5)
        _ = parser.consume(line: "out_time=01:02:03.500000")
        #expect(parser.consume(line: "progress=continue")?.outTime == 3723.5)
    }

    @Test func ignoresNegativeAndMissingTimesAndNeverGoesBack() {
        var parser = FFmpegProgressParser(expectedDuration: 10)
        _ = parser.consume(line: "out_time_us=-9223372036854775807")
        _ = parser.consume(line: "out_time=-577014:32:22.775807")
        let first = parser.consume(line: "progress=continue")
        #expect(first?.outTime == nil)
        #expect(first?.percent == nil)
        _ = parser.consume(line: "out_time_us=6000000")
        #expect(parser.consume(line: "progress=continue")?.percent == 60)
        _ = parser.consume(line: "out_time_us=5000000")
        #expect(parser.consume(line: "progress=continue")?.percent == 60)
        _ = parser.consume(line: "out_time_us=99000000")
        #expect(parser.consume(line: "progress=continue")?.percent == 100)
        _ = parser.consume(line: "speed=N/A")
        #expect(parser.consume(line: "progress=continue")?.speed == nil)
        #expect(parser.consume(line: "garbage without equals") == nil)
    }

    @Test func withoutDurationOnlyTheEndHasAPercentage() {
        var parser = FFmpegProgressParser(expectedDuration: nil)
        _ = parser.consume(line: "out_time_us=1000000")
        #expect(parser.consume(line: "progress=continue")?.percent == nil)
        #expect(parser.consume(line: "progress=end")?.percent == 100)
    }

    @Test func etaFromWallClockWhenNoSpeed() {
        var parser = FFmpegProgressParser(expectedDuration: 10)
        _ = parser.consume(line: "out_time_us=2500000", elapsed: 1)
        let report = parser.consume(line: "progress=continue", elapsed: 1)
        #expect(report?.estimatedTimeRemaining == 3)
    }

    @Test func lineSplitterHandlesCRLFAndLoneCR() {
        var splitter = LineSplitter()
        var lines = splitter.feed(Data("a=1\r\nb=2\rc=".utf8))
        lines += splitter.feed(Data("3\nd".utf8))
        #expect(lines.filter { !$0.isEmpty } == ["a=1", "b=2", "c=3"])
        #expect(splitter.finish() == "d")
    }

    @Test func lineTailKeepsTheLastLines() {
        let tail = LineTail(capacity: 3)
        tail.feed(Data((1...10).map { "line \($0)" }.joined(separator: "\n").utf8))
        #expect(tail.lines() == ["line 8", "line 9", "line 10"])
    }

    @Test func ladderNeverUpscales() {
        let hd = Rendition.ladder(sourceWidth: 1920, sourceHeight: 1080, heights: [1080, 720, 480])
        #expect(hd.map(\.name) == ["1080p", "720p", "480p"])
        #expect(hd.map(\.width) == [1920, 1280, 854])
        let sd = Rendition.ladder(sourceWidth: 1280, sourceHeight: 720, heights: [1080, 720, 480])
        #expect(sd.map(\.name) == ["720p", "480p"])
        let tiny = Rendition.ladder(sourceWidth: 320, sourceHeight: 240, heights: [1080, 720, 480])
        #expect(tiny == [Rendition(name: "240p", width: 320, height: 240, maximumVideoBitRate: tiny[0].maximumVideoBitRate)])
        let odd = Rendition.ladder(sourceWidth: 321, sourceHeight: 241, heights: [1080, 720, 480])
        #expect(odd.map(\.height) == [240])
        #expect(odd.allSatisfy { $0.width % 2 == 0 && $0.height % 2 == 0 && $0.width <= 321 })
        let portrait = Rendition.ladder(sourceWidth: 720, sourceHeight: 1280, heights: [1080, 720, 480])
        #expect(portrait.map(\.width) == [720, 480])
        #expect(portrait.map(\.height) == [1280, 854])
        for rendition in hd + sd + tiny + odd + portrait {
            #expect(rendition.width % 2 == 0 && rendition.height % 2 == 0)
        }
        #expect(hd[0].maximumVideoBitRate > hd[1].maximumVideoBitRate)
    }

    @Test func limitsAreCheckedWithClearCodes() throws {
        let video = MediaStreamInfo(index: 0, type: .video, codec: "h264", width: 1920, height: 1080)
        let audio = MediaStreamInfo(index: 1, type: .audio, codec: "aac", channels: 2, sampleRate: 48000)
        let good = MediaInfo(formatName: "mov,mp4", duration: 10, size: 1, bitRate: 1, streams: [video, audio])
        try ProbeLimits.default.check(good)

        func code(_ info: MediaInfo, _ limits: ProbeLimits = .default) -> MediaError.Code? {
            do {
                try limits.check(info)
                return nil
            } catch {
                return error.code
            }
        }
        var info = good
        info.streams = [audio]
        #expect(code(info) == .noVideoStream)
        info = good
        info.streams[0].width = 9000
        #expect(code(info) == .dimensionsTooLarge)
        info.streams[0].width = 8192
        info.streams[0].height = 8192
        #expect(code(info) == .dimensionsTooLarge)  // 67 M pixels > 8K's 35 M
        #expect(code(info, ProbeLimits(maximumPixels: 8192 * 8192)) == nil)
        info = good
        info.duration = 5 * 3600
        #expect(code(info) == .durationTooLong)
        info.duration = 0
        #expect(code(info) == .durationTooShort)
        info.duration = nil
        #expect(code(info) == .durationTooShort)
        #expect(code(info, .unlimited) == nil)
    }

    @Test func errorPermanence() {
        #expect(MediaError(code: .probeFailed, message: "").isPermanent)
        #expect(MediaError(code: .dimensionsTooLarge, message: "").isPermanent)
        #expect(MediaError(code: .unknownJobType, message: "").isPermanent)
        #expect(!MediaError(code: .cancelled, message: "").isPermanent)
        #expect(!MediaError(code: .timedOut, message: "").isPermanent)
        #expect(!MediaError(code: .insufficientDiskSpace, message: "").isPermanent)
        #expect(!MediaError(code: .ffmpegFailed, message: "", isPermanent: false).isPermanent)
        let error = MediaError(code: .ffmpegFailed, message: "boom", exitStatus: 1, stderrTail: ["a", "last line"])
        #expect(error.description.contains("ffmpeg_failed: boom"))
        #expect(error.description.contains("last line"))
    }

    @Test func parsesSceneScoresAndSelectsCuts() {
        let text = """
            frame:0    pts:12800   pts_time:1
            lavfi.scene_score=0.400000
            frame:1    pts:12900   pts_time:1.2
            lavfi.scene_score=0.900000
            frame:2    pts:25600   pts_time:2
            lavfi.scene_score=0.718527
            frame:3    pts:38000   pts_time:2.9
            lavfi.scene_score=0.5
            """
        let cuts = CutAnalysisHandler.parseScores(text)
        #expect(cuts.map(\.time) == [1, 1.2, 2, 2.9])
        let kept = CutAnalysisHandler.selectCuts(cuts, duration: 3, minimumClip: 0.5, maximumClips: 10)
        #expect(kept == [.init(time: 1.2, score: 0.9), .init(time: 2, score: 0.718527)])
        let capped = CutAnalysisHandler.selectCuts(cuts, duration: 3, minimumClip: 0.5, maximumClips: 2)
        #expect(capped == [.init(time: 1.2, score: 0.9)])
    }

    @Test func argumentsAreAnArrayWithTheGuards() {
        let runner = FFmpegRunner(configuration: FFmpegConfiguration(threads: 2))
        let invocation = FFmpegInvocation(
            inputs: [.init(url: URL(fileURLWithPath: "/tmp/a b;$(rm -rf x).mp4"), options: ["-ss", "1"])],
            outputArguments: ["-f", "null", "-"], expectedDuration: 1)
        let arguments = runner.arguments(for: invocation)
        #expect(Array(arguments.prefix(8)) == ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-progress", "pipe:1", "-y"])
        #expect(arguments.contains("file:/tmp/a b;$(rm -rf x).mp4"))
        let input = arguments.firstIndex(of: "-i") ?? 0
        let guardIndex = arguments.firstIndex(of: "-protocol_whitelist") ?? .max
        #expect(guardIndex < input)
        #expect(arguments[guardIndex + 1] == "file,pipe")
        #expect(arguments[(arguments.firstIndex(of: "-format_whitelist") ?? 0) + 1].hasPrefix("mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"))
        #expect(arguments.contains("-threads"))
        #expect(!MediaProbe().arguments(for: URL(fileURLWithPath: "/x.mp4")).contains("pipe"))
    }

    @Test func diskSpaceCheck() throws {
        let directory = FileManager.default.temporaryDirectory
        let available = try DiskSpace.available(at: directory)
        #expect(available > 0)
        try DiskSpace.ensureAvailable(at: directory, inputSize: 1024, factor: 3)
        do {
            try DiskSpace.ensureAvailable(at: directory, inputSize: available, factor: 3)
            Issue.record("expected insufficientDiskSpace")
        } catch {
            #expect(error.code == .insufficientDiskSpace)
            #expect(!error.isPermanent)
        }
        do {
            _ = try DiskSpace.available(at: directory.appendingPathComponent("does-not-exist-\(UUID())"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .outputFailed)
        }
    }

    @Test func registryDispatchesAndRefusesUnknownNames() throws {
        var registry = MediaJobRegistry.standard
        #expect(registry.names == ["audio", "cut_analysis", "hls", "thumbnails", "transcode", "transcribe"])
        #expect(try registry.handler(named: "hls").name == "hls")
        do {
            _ = try registry.handler(named: "deepfake")
            Issue.record("expected unknownJobType")
        } catch {
            #expect(error.code == .unknownJobType)
            #expect(error.isPermanent)
        }
        struct Echo: MediaJobHandler {
            var name: String { "echo" }
            func run(_ job: MediaJobContext) async throws -> [ProducedFile] { [] }
        }
        registry.register(Echo())
        #expect(try registry.handler(named: "echo").name == "echo")
    }
}
