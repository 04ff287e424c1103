import Foundation
import Testing

@testable import MediaProcessing

/// Hostile and broken inputs: each must end in a clear, permanent `MediaError`, and nothing outside the
/// job directory may be opened.
///
/// The "nothing outside" check is a tripwire: the playlists and concat lists point (among others) at a
/// FIFO outside the job directory. Opening a FIFO for reading blocks until a writer comes, and none ever
/// does; so had ffprobe or FFmpeg opened it, the run would hang until its timeout and end in `.timedOut`
/// instead of the expected code. At the end, opening the FIFO for writing without blocking must fail with
/// `ENXIO` (no process holds it open for reading).
///
/// Huge dimensions: a one-frame 256×256 `rawvideo` Matroska file is made with FFmpeg, then its
/// `PixelWidth` (EBML id 0xB0) and `PixelHeight` (0xBA) elements, stored as two bytes `0x0100`, are patched
/// to `0x2EE0` (12000). The file stays 66 KB but ffprobe reports a 12000×12000 video (rawvideo takes its
/// size from the container, unlike H.264 whose SPS would override the header).
@Suite("Poison corpus")
struct PoisonCorpusTests {
    struct Corpus: Sendable {
        let job: URL
        let outside: URL
        let fifo: URL
        let files: [String: URL]
    }

    static let corpus = Task<Corpus, any Error> { try await makeCorpus() }

    static func makeCorpus() async throws -> Corpus {
        let media = try await TestMedia.get()
        let root = media.directory.appendingPathComponent("poison")
        let job = root.appendingPathComponent("job")
        let outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: job, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let fifo = outside.appendingPathComponent("secret.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let secretVideo = outside.appendingPathComponent("secret.mp4")
        try FileManager.default.copyItem(at: media.small, to: secretVideo)

        var files: [String: URL] = [:]
        func write(_ name: String, _ data: Data) throws {
            let url = job.appendingPathComponent(name)
            try data.write(to: url)
            files[name] = url
        }
        // Random bytes, deterministic (a linear congruential generator).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        try write(
            "random.mp4",
            Data(
                (0..<65536).map { _ in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return UInt8(truncatingIfNeeded: state >> 56)
                }))
        // A truncated MP4 (FFmpeg writes the moov index last: the first 40 % have none).
        let whole = try Data(contentsOf: media.small)
        try write("truncated.mp4", whole.prefix(whole.count * 4 / 10))
        // The same, but with the index first (+faststart): it probes fine, its media data stops halfway.
        let faststart = root.appendingPathComponent("faststart.mp4")
        try await runTool("ffmpeg", ["-i", media.small.path, "-c", "copy", "-movflags", "+faststart", faststart.path])
        let indexed = try Data(contentsOf: faststart)
        try write("truncated-faststart.mp4", indexed.prefix(indexed.count / 2))
        try write("empty.mp4", Data())
        try write("notes.mp4", Data("This is not a video.\nJust some text, in a file named like one.\n".utf8))
        try write(
            "playlist.mp4",
            Data(
                """
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:10
                #EXT-X-MEDIA-SEQUENCE:0
                #EXTINF:10.0,
                file:///etc/passwd
                #EXTINF:10.0,
                \(fifo.path)
                #EXTINF:10.0,
                ../outside/secret.fifo
                #EXTINF:10.0,
                ../outside/secret.mp4
                #EXT-X-ENDLIST

                """.utf8))
        try write(
            "list.ffconcat",
            Data(
                """
                ffconcat version 1.0
                file '\(fifo.path)'
                file '../outside/secret.mp4'
                file '/etc/passwd'

                """.utf8))
        // 12000×12000 declared, 256×256 of data (see the suite's documentation).
        let raw = job.appendingPathComponent("raw.mkv")
        try await runTool(
            "ffmpeg", ["-f", "lavfi", "-i", "color=c=gray:size=256x256:rate=1", "-frames:v", "1", "-c:v", "rawvideo", "-pix_fmt", "gray", raw.path])
        var mkv = try Data(contentsOf: raw)
        try FileManager.default.removeItem(at: raw)
        for id in [UInt8(0xB0), 0xBA] {
            let range = try #require(mkv.range(of: Data([id, 0x82, 0x01, 0x00])))
            mkv.replaceSubrange(range, with: [id, 0x82, 0x2E, 0xE0])
        }
        try write("huge.mkv", mkv)
        // Valid media, wrong kind: audio only (MP4), and a container outside the list (WAV).
        let audioOnly = job.appendingPathComponent("audio-only.m4a")
        try await runTool("ffmpeg", ["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", audioOnly.path])
        files["audio-only.m4a"] = audioOnly
        let wav = job.appendingPathComponent("sound.wav")
        try await runTool("ffmpeg", ["-f", "lavfi", "-i", "sine=d=1", wav.path])
        files["sound.wav"] = wav
        // A symbolic link out of the job directory.
        let link = job.appendingPathComponent("link.mp4")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: secretVideo)
        files["link.mp4"] = link
        return Corpus(job: job, outside: outside, fifo: fifo, files: files)
    }

    static let expected: [(String, MediaError.Code)] = [
        ("random.mp4", .probeFailed),
        ("truncated.mp4", .probeFailed),
        ("empty.mp4", .emptyInput),
        ("notes.mp4", .probeFailed),
        ("playlist.mp4", .unsupportedFormat),
        ("list.ffconcat", .unsupportedFormat),
        ("huge.mkv", .dimensionsTooLarge),
        ("audio-only.m4a", .noVideoStream),
        ("sound.wav", .unsupportedFormat),
        ("link.mp4", .probeFailed),
    ]

    /// A short probe timeout: a blocked open of the FIFO would surface as `.timedOut`.
    static let configuration = FFmpegConfiguration(killGracePeriod: .milliseconds(500), timeout: .seconds(15), probeTimeout: .seconds(15))

    @Test(arguments: PoisonCorpusTests.expected.map(\.0))
    func probeRefusesWithAPermanentError(name: String) async throws {
        let corpus = try await Self.corpus.value
        let url = try #require(corpus.files[name])
        let expected = try #require(Self.expected.first { $0.0 == name }?.1)
        let error = await mediaError { _ = try await MediaProbe(configuration: Self.configuration).probe(url) }
        #expect(error?.code == expected, "\(name): \(String(describing: error))")
        #expect(error?.isPermanent == true)
        #expect(error?.message.isEmpty == false)
    }

    @Test func thePipelineRefusesPoisonBeforeRunningAnyJob() async throws {
        let corpus = try await Self.corpus.value
        let pipeline = MediaJobPipeline(runner: FFmpegRunner(configuration: Self.configuration), options: fastOptions)
        for (name, code) in Self.expected {
            let output = corpus.job.appendingPathComponent("out-\(name)")
            let error = await mediaError {
                _ = try await pipeline.run(jobs: ["transcode"], input: try #require(corpus.files[name]), outputDirectory: output)
            }
            #expect(error?.code == code, "\(name): \(String(describing: error))")
            #expect(error?.isPermanent == true)
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("transcode").path))
        }
    }

    /// Even without the probe in front, FFmpeg itself refuses playlists: the whitelists are on every input.
    @Test func theRunnerRefusesPlaylistsOnItsOwn() async throws {
        let corpus = try await Self.corpus.value
        let runner = FFmpegRunner(configuration: Self.configuration)
        for name in ["playlist.mp4", "list.ffconcat"] {
            let invocation = FFmpegInvocation(
                inputs: [.init(url: try #require(corpus.files[name]))],
                outputArguments: ["-c:v", "libx264", "-f", "mp4", corpus.job.appendingPathComponent("out-\(name).mp4").path],
                expectedDuration: 10)
            let error = await mediaError { try await runner.run(invocation) }
            #expect(error?.code == .ffmpegFailed, "\(name): \(String(describing: error))")
            #expect(error?.isPermanent == true)
            #expect(error?.stderrTail.joined().contains("not on whitelist") == true, "\(String(describing: error?.stderrTail))")
        }
        // Forcing a demuxer that is not allowed does not get around the format whitelist.
        let forced = FFmpegInvocation(
            inputs: [.init(url: try #require(corpus.files["playlist.mp4"]), options: ["-f", "hls"])],
            outputArguments: ["-f", "null", "-"], expectedDuration: 10)
        let error = await mediaError { try await runner.run(forced) }
        #expect(error?.code == .ffmpegFailed)
        #expect(error?.isPermanent == true)
    }

    /// A truncated file whose index survived probes as a whole; FFmpeg stops at the end of the data
    /// without failing, and the short output gives it away.
    @Test func aTruncatedFaststartFileIsCorruptInput() async throws {
        let corpus = try await Self.corpus.value
        let url = try #require(corpus.files["truncated-faststart.mp4"])
        let info = try await MediaProbe(configuration: Self.configuration).probe(url)
        #expect(abs((info.duration ?? 0) - 3) < 0.1)
        for job in ["transcode", "audio"] {
            let error = await mediaError {
                _ = try await MediaJobPipeline(runner: FFmpegRunner(configuration: Self.configuration), options: fastOptions)
                    .run(jobs: [job], input: url, outputDirectory: corpus.job.appendingPathComponent("out-faststart-\(job)"))
            }
            #expect(error?.code == .corruptInput, "\(job): \(String(describing: error))")
            #expect(error?.isPermanent == true)
        }
    }

    @Test(.serialized, arguments: [0])
    func nothingHoldsTheTripwireOpen(_: Int) async throws {
        let corpus = try await Self.corpus.value
        let descriptor = open(corpus.fifo.path, O_WRONLY | O_NONBLOCK)
        let reason = errno
        if descriptor >= 0 { close(descriptor) }
        #expect(descriptor == -1 && reason == ENXIO, "a process has the FIFO outside the job directory open")
    }
}
