import Foundation
import Testing

@testable import MediaProcessing

/// Files that lie about what they hold, and FFmpeg kept away from everything but the job.
@Suite("Hostile media and the FFmpeg sandbox", .serialized)
struct HostileMediaTests {
    /// A 320×240 H.264 video (3 s) whose cover art (`size`, PNG) is stream #0.
    static func coverFirst(size: Int, in directory: URL) async throws -> URL {
        let video = directory.appendingPathComponent("plain.mp4")
        let cover = directory.appendingPathComponent("cover.png")
        let muxed = directory.appendingPathComponent("muxed.mp4")
        try await runTool(
            "ffmpeg",
            [
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", video.path,
            ])
        try await runTool("ffmpeg", ["-f", "lavfi", "-i", "color=c=red:size=\(size)x\(size)", "-frames:v", "1", cover.path])
        try await runTool(
            "ffmpeg",
            [
                "-i", video.path, "-i", cover.path, "-map", "1", "-map", "0", "-c", "copy", "-disposition:0", "attached_pic",
                muxed.path,
            ])
        let output = directory.appendingPathComponent("cover-first.mp4")
        try HostileMedia.coverFirst(try Data(contentsOf: muxed)).write(to: output)
        return output
    }

    /// 160×120, 30 s of frames, whose `mvhd`/`tkhd`/`mdhd` declare 1 s.
    static func lyingDuration(in directory: URL) async throws -> URL {
        let honest = directory.appendingPathComponent("honest30.mp4")
        try await runTool(
            "ffmpeg",
            [
                "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "30", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-use_editlist", "0", honest.path,
            ])
        let output = directory.appendingPathComponent("lying.mp4")
        try HostileMedia.declaringDuration(try Data(contentsOf: honest), seconds: 1).write(to: output)
        return output
    }

    @Test func coverArtIsCheckedAgainstTheLimitsAndNeverDecodedInsteadOfTheVideo() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let input = try await Self.coverFirst(size: 1000, in: directory)
        let info = try await MediaProbe().probe(input)
        #expect(info.streams.first?.isAttachedPicture == true)
        #expect(info.videoStream?.index == 1)
        // Over the limits: refused, though the real video is small.
        var limits = ProbeLimits.default
        limits.maximumPixels = 640 * 480
        #expect(await mediaError { _ = try await MediaProbe(limits: limits).probe(input) }?.code == .dimensionsTooLarge)
        // Larger than the decoders may allocate: refused by the probe too.
        let small = FFmpegConfiguration(maximumDecodedPixels: 500 * 500)
        #expect(await mediaError { _ = try await MediaProbe(configuration: small).probe(input) }?.code == .dimensionsTooLarge)

        // Within the limits: every handler works on stream #1, the video, not the cover.
        let output = try media.jobDirectory()
        let context = MediaJobContext(input: input, info: info, outputDirectory: output, options: fastOptions)
        let files = try await TranscodeHandler().run(context)
        let probed = try await Probed.of(try #require(files.first).url(in: output))
        #expect(probed.video?.width == 320 && probed.video?.height == 240)
        #expect(abs(probed.duration - 3) < 0.3)
        let thumbnails = try await ThumbnailsHandler().run(context)
        #expect(thumbnails.contains { $0.kind == .thumbnailPoster && $0.width == 320 })
    }

    @Test func mediaRunningPastItsDeclaredDurationIsCutAtTheCapAndFailsAsDurationMismatch() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let input = try await Self.lyingDuration(in: directory)
        let info = try await MediaProbe(limits: ProbeLimits(maximumDuration: 10)).probe(input)
        #expect(abs((info.duration ?? 0) - 1) < 0.01, "the probe sees the declared 1 s")
        for handler in [TranscodeHandler() as any MediaJobHandler, HLSHandler(), CutAnalysisHandler()] {
            let output = try media.jobDirectory()
            let progress = ProgressLog()
            let context = MediaJobContext(input: input, info: info, outputDirectory: output, options: fastOptions) { progress.append($0.percent) }
            #expect(await mediaError { _ = try await handler.run(context) }?.code == .durationMismatch, "\(handler.name)")
            // FFmpeg read no more than the cap (declared 1 s + 2 s slack), not the 30 s the file holds.
            if handler.name == "transcode" {
                let written = try #require(
                    FileManager.default.enumerator(atPath: output.path)?.compactMap { $0 as? String }
                        .first { $0.hasSuffix(".mp4") })
                let probed = try await Probed.of(output.appendingPathComponent(written))
                #expect(probed.duration <= 3.1)
            }
        }
        // A truthful file of the same length is not a mismatch.
        let honest = directory.appendingPathComponent("honest30.mp4")
        let truthful = try await MediaProbe().probe(honest)
        let context = MediaJobContext(input: honest, info: truthful, outputDirectory: try media.jobDirectory(), options: fastOptions)
        #expect(try await TranscodeHandler().run(context).isEmpty == false)
    }

    @Test func aSandboxedFFmpegCannotReachTheNetworkOrFilesOutsideItsJob() async throws {
        let sandbox = Sandbox()
        guard case .success = sandbox.check() else {
            Issue.record("bubblewrap is not usable here: install Debian's bubblewrap (scripts/test does)")
            return
        }
        let media = try await TestMedia.get()
        let listener = try CountingListener()
        // Outside the job: not under the input's directory either.
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("vq-outside-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        let secret = outside.appendingPathComponent("secret.mp4")
        try FileManager.default.copyItem(at: media.silent, to: secret)
        let sandboxed = FFmpegRunner(configuration: FFmpegConfiguration(sandbox: sandbox))

        // The network: an output URL to a listener on 127.0.0.1. Unsandboxed, the same run connects (the control).
        let network = FFmpegInvocation(
            inputs: [.init(url: media.silent)],
            outputArguments: [
                "-c", "copy", "-f", "mpegts",
                "tcp://127.0.0.1:\(listener.port)?timeout=2000000",
            ], expectedDuration: nil,
            workingDirectory: try media.jobDirectory())
        #expect(await mediaError { try await sandboxed.run(network, timeout: .seconds(20)) }?.code == .ffmpegFailed)
        #expect(!listener.hasConnection(waitingMilliseconds: 200), "no connection reached the listener from the sandbox")
        let unsandboxed = Task { try? await FFmpegRunner().run(network, timeout: .seconds(3)) }
        #expect(listener.hasConnection(waitingMilliseconds: 5000), "the control run connects")
        unsandboxed.cancel()
        _ = await unsandboxed.value

        // Files: writing outside the job directory, and reading a file outside it through a filter.
        let job = try media.jobDirectory()
        let escape = outside.appendingPathComponent("escaped.mp4")
        let write = FFmpegInvocation(
            inputs: [.init(url: media.silent)], outputArguments: ["-c", "copy", "-f", "mp4", escape.path],
            expectedDuration: nil, workingDirectory: job)
        #expect(await mediaError { try await sandboxed.run(write) }?.code == .ffmpegFailed)
        #expect(!FileManager.default.fileExists(atPath: escape.path))
        let read = FFmpegInvocation(
            inputs: [.init(url: media.silent)],
            outputArguments: ["-filter_complex", "movie=\(secret.path)[v]", "-map", "[v]", "-f", "null", "-"],
            expectedDuration: nil, workingDirectory: job)
        #expect(await mediaError { try await sandboxed.run(read) }?.code == .ffmpegFailed)
        #expect(await mediaError { try await FFmpegRunner().run(read) } == nil, "the control run reads it")

        // The work itself still runs: probe and transcode inside the sandbox.
        let info = try await MediaProbe(configuration: sandboxed.configuration).probe(media.small)
        let context = MediaJobContext(input: media.small, info: info, outputDirectory: job, runner: sandboxed, options: fastOptions)
        #expect(try await TranscodeHandler().run(context).count == 1)
    }

    /// `--die-with-parent` follows the thread that spawned bubblewrap: spawned from a pool worker that exits while
    /// idle, a long run was killed with SIGKILL (reported as `ffmpeg_killed`) mid-job.
    @Test func aSandboxedChildOutlivesTheIdleThreadsOfThePool() async throws {
        let sandbox = Sandbox()
        guard (try? sandbox.check().get()) != nil else { return }
        let command = sandbox.command(executable: "/usr/bin/sleep", arguments: ["12"], readable: [], writable: [], workingDirectory: nil)
        let child = ChildProcess(
            executable: URL(fileURLWithPath: command.executable), arguments: command.arguments, workingDirectory: nil, timeout: .seconds(60),
            killGracePeriod: .seconds(1), stderrTailLines: 5)
        let outcome = try await child.run()
        #expect(outcome.ending == .exited(0), "the sandboxed child ended as \(outcome.ending)")
    }
}

/// What FFmpeg says reaches users without this machine's paths.
struct PathRedactionTests {
    @Test func absolutePathsBecomeTheirLastComponent() {
        #expect(PathRedaction.redact("file:/var/cache/videoqueue/consumer-1/5f2a-1/source: Invalid data found") == "source: Invalid data found")
        #expect(PathRedaction.redact("Error opening output /tmp/vq/jobs/x/out/transcode/720p.mp4.") == "Error opening output 720p.mp4.")
        #expect(PathRedaction.redact("could not open '/etc/secret/key' (denied)") == "could not open 'key' (denied)")
        #expect(PathRedaction.redact("ratio 16/9 and 1/2 stay") == "ratio 16/9 and 1/2 stay")
        #expect(PathRedaction.redact("/") == "…")
        #expect(PathRedaction.redact("") == "")
    }
}
