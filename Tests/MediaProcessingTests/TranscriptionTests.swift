import Foundation
import Testing

@testable import MediaProcessing

/// The Python of the faster-whisper environment the real-recogniser tests use (`scripts/test` sets it up).
let whisperPython = ProcessInfo.processInfo.environment["VIDEOQUEUE_TEST_WHISPER_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }

/// Speech made by espeak-ng from a known English text, muxed with a test picture (made once per run).
struct SpeechMedia: Sendable {
    /// What the speech says.
    static let text = """
        Every video that reaches the queue is processed once. The consumer downloads the source, checks it, \
        and encodes each rendition. Captions are written from the speech in the audio track. \
        The outputs are uploaded to the bucket, and the record is marked as complete.
        """
    /// 320×240 testsrc2 with the speech as AAC (about 15 s).
    let video: URL
    /// The same, looped to about 150 s (for cancellation).
    let long: URL
    /// The speech's duration in seconds.
    let duration: Double

    static let shared = Task<SpeechMedia, any Error> {
        let media = try await TestMedia.get()
        let wav = media.directory.appendingPathComponent("speech.wav")
        try await runProcess("/usr/bin/espeak-ng", ["-s", "150", "-w", wav.path, text])
        let video = media.directory.appendingPathComponent("speech.mp4")
        try await runTool(
            "ffmpeg",
            [
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-i", wav.path, "-shortest", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", video.path,
            ])
        let long = media.directory.appendingPathComponent("speech-long.mp4")
        try await runTool("ffmpeg", ["-stream_loop", "9", "-i", video.path, "-c", "copy", long.path])
        let duration = try await MediaProbe().probe(video).duration ?? 0
        return SpeechMedia(video: video, long: long, duration: duration)
    }

    static func get() async throws -> SpeechMedia { try await shared.value }
}

/// Runs an executable to its end off the cooperative pool; throws on a non-zero exit.
func runProcess(_ executable: String, _ arguments: [String]) async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let done = Latch()
    process.terminationHandler = { _ in done.open() }
    try process.run()
    await done.wait()
    guard process.terminationStatus == 0 else { throw ToolFailure(description: "\(executable) exited with \(process.terminationStatus)") }
}

/// Word error rate: word-level edit distance over the reference's word count, case and punctuation ignored.
func wordErrorRate(reference: String, hypothesis: String) -> Double {
    func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "'" }.map(String.init)
    }
    let expected = words(reference)
    let heard = words(hypothesis)
    var previous = Array(0...heard.count)
    for (i, word) in expected.enumerated() {
        var current = [i + 1] + Array(repeating: 0, count: heard.count)
        for (j, other) in heard.enumerated() {
            current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (word == other ? 0 : 1))
        }
        previous = current
    }
    return Double(previous[heard.count]) / Double(max(1, expected.count))
}

@Suite("Transcription: transcripts and captions without I/O")
struct TranscriptUnitTests {
    @Test("the recogniser's JSON is checked: times clamped into the audio and put in order, blank text dropped, text on one line")
    func transcriptIsChecked() throws {
        let json = #"""
            {"language": "EN", "language_probability": 3, "duration": 10,
             "segments": [{"start": -5, "end": 2, "text": " Hello\nthere "}, {"start": 1, "end": 0.5, "text": "back"},
                          {"start": 4, "end": 99, "text": "past the end"}, {"start": 5, "end": 6, "text": "   "}]}
            """#
        let transcript = try Transcript.decode(Data(json.utf8))
        #expect(transcript.language == "en")
        #expect(transcript.languageProbability == 1)
        #expect(
            transcript.segments == [
                .init(start: 0, end: 2, text: "Hello there"), .init(start: 1, end: 1, text: "back"), .init(start: 4, end: 10, text: "past the end"),
            ])
    }

    @Test(
        "a transcript that does not hold up is transcription_failed, never a crash",
        arguments: [
            #"not json"#, #"{"language": "en"}"#, #"{"language": "english!", "language_probability": 1, "duration": 1, "segments": []}"#,
            #"{"language": "en", "language_probability": 1, "duration": -1, "segments": []}"#,
            #"{"language": "en", "language_probability": NaN, "duration": 1, "segments": []}"#,
            #"{"language": "en", "language_probability": 1, "duration": 1e999, "segments": []}"#,
        ])
    func hostileTranscripts(json: String) {
        #expect(throws: MediaError.self) { try Transcript.decode(Data(json.utf8)) }
        do {
            _ = try Transcript.decode(Data(json.utf8))
        } catch {
            #expect(error.code == .transcriptionFailed)
        }
    }

    @Test("a transcript with more text than the cap is refused")
    func endlessTranscript() throws {
        let segment = #"{"start": 0, "end": 1, "text": "\#(String(repeating: "a", count: 1 << 20))"}"#
        let json =
            #"{"language": "en", "language_probability": 1, "duration": 1, "segments": [\#(Array(repeating: segment, count: 5).joined(separator: ","))]}"#
        #expect(throws: MediaError.self) { try Transcript.decode(Data(json.utf8)) }
    }

    @Test("WebVTT and SubRip: exact timestamps, numbered cues, nothing in the text read as a tag or a cue boundary")
    func captionFormats() {
        let transcript = Transcript(
            language: "en", languageProbability: 1, duration: 3_700,
            segments: [
                .init(start: 0, end: 1.5, text: "Hello <b>world</b> & more"), .init(start: 3_661.0049, end: 3_662, text: "a --> b"),
            ])
        let vtt = CaptionFormat.webVTT(transcript, timestampMap: "MPEGTS:126000,LOCAL:00:00:00.000")
        #expect(
            vtt == """
                WEBVTT
                X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000

                1
                00:00:00.000 --> 00:00:01.500
                Hello &lt;b&gt;world&lt;/b&gt; &amp; more

                2
                01:01:01.005 --> 01:01:02.000
                a --&gt; b

                """)
        let srt = CaptionFormat.subRip(transcript)
        #expect(
            srt == """
                1
                00:00:00,000 --> 00:00:01,500
                Hello ‹b›world‹/b› & more

                2
                01:01:01,005 --> 01:01:02,000
                a --› b

                """)
        #expect(CaptionFormat.iso639_2("en") == "eng")
        #expect(CaptionFormat.iso639_2("xx") == "und")
    }

    @Test("transcribe runs before transcode and hls, so they can carry its captions")
    func transcribeFirst() {
        #expect(
            MediaJobPlan(jobs: ["transcode", "thumbnails", "hls", "transcribe"], encodesOnce: true).steps.map(\.jobs)
                == [["transcribe"], ["transcode", "hls", "thumbnails"]])
        #expect(MediaJobPlan(jobs: ["thumbnails", "transcribe"], encodesOnce: true).steps.map(\.jobs) == [["thumbnails"], ["transcribe"]])
        #expect(
            MediaJobPlan(jobs: ["thumbnails", "hls", "transcribe"], encodesOnce: false).steps.map(\.jobs)
                == [["thumbnails"], ["transcribe"], ["hls"]])
    }

    @Test("without a Python environment, transcribe fails as tool_unavailable (transient), not as bad input")
    func noRecogniser() async throws {
        let media = try await SpeechMedia.get()
        let directory = try await TestMedia.get().jobDirectory()
        for python in [nil, "/nonexistent/python"] {
            let pipeline = MediaJobPipeline(options: fastOptions, transcriber: WhisperTranscriber(pythonPath: python))
            let error = await mediaError { _ = try await pipeline.run(jobs: ["transcribe"], input: media.video, outputDirectory: directory) }
            #expect(error?.code == .toolUnavailable)
            #expect(error?.isPermanent == false)
        }
    }

    @Test("a source without audio fails as no_audio_stream before anything runs")
    func silentSource() async throws {
        let media = try await TestMedia.get()
        let pipeline = MediaJobPipeline(options: fastOptions, transcriber: WhisperTranscriber(pythonPath: "/nonexistent/python"))
        let error = await mediaError { _ = try await pipeline.run(jobs: ["transcribe"], input: media.silent, outputDirectory: try media.jobDirectory()) }
        #expect(error?.code == .noAudioStream)
        #expect(error?.isPermanent == true)
    }
}

@Suite("Transcription with faster-whisper", .enabled(if: whisperPython != nil, "VIDEOQUEUE_TEST_WHISPER_PYTHON is not set (scripts/test sets it)"))
struct TranscriptionTests {
    /// The recogniser in the sandbox when bubblewrap works here.
    static func transcriber(onStart: (@Sendable (Int32) -> Void)? = nil) -> WhisperTranscriber {
        let sandbox = Sandbox()
        var transcriber = WhisperTranscriber(pythonPath: whisperPython, sandbox: (try? sandbox.check().get()) != nil ? sandbox : nil)
        transcriber.onProcessStart = onStart
        return transcriber
    }

    @Test("transcode, hls and transcribe: word error rate ≤ 35 %, cues inside the clip, MP4s with a mov_text track, a SUBTITLES group in HLS")
    func speechBecomesCaptions() async throws {
        let speech = try await SpeechMedia.get()
        let directory = try await TestMedia.get().jobDirectory()
        var options = fastOptions
        options.renditionHeights = [240]
        options.hlsSegmentDuration = 2
        let overall = ProgressLog()
        let pipeline = MediaJobPipeline(options: options, transcriber: Self.transcriber())
        let results = try await pipeline.run(jobs: ["transcode", "hls", "transcribe"], input: speech.video, outputDirectory: directory) {
            overall.append($0.overallPercent)
        }
        #expect(overall.isMonotonicToHundred, "progress: \(overall.all)")
        let files = try #require(results.first { $0.job == "transcribe" }?.files)
        #expect(files.map(\.relativePath) == ["transcribe/captions.vtt", "transcribe/captions.srt", "transcribe/transcript.json"])

        let transcript = try JSONDecoder().decode(Transcript.self, from: Data(contentsOf: directory.appendingPathComponent("transcribe/transcript.json")))
        #expect(transcript.language == "en")
        let heard = transcript.segments.map(\.text).joined(separator: " ")
        let wer = wordErrorRate(reference: SpeechMedia.text, hypothesis: heard)
        print("transcription word error rate: \(String(format: "%.1f", wer * 100)) % (\(heard))")
        #expect(wer <= 0.35, "WER \(wer): \(heard)")
        #expect(!transcript.segments.isEmpty)
        #expect(transcript.segments.allSatisfy { $0.start >= 0 && $0.start <= $0.end && $0.end <= speech.duration + 0.05 })

        let vtt = try String(contentsOf: directory.appendingPathComponent("transcribe/captions.vtt"), encoding: .utf8)
        #expect(vtt.hasPrefix("WEBVTT\n"))
        #expect(vtt.contains(" --> "))
        // FFmpeg itself reads both caption files back.
        for caption in ["transcribe/captions.vtt", "transcribe/captions.srt"] {
            let probed = try await Probed.of(directory.appendingPathComponent(caption))
            #expect(probed.streams.first?.codec_type == "subtitle", "\(caption)")
        }

        // The MP4 carries the captions as a mov_text track in English.
        let mp4 = directory.appendingPathComponent("transcode/240p.mp4")
        let tracks = try await runTool("ffprobe", ["-show_entries", "stream=codec_name:stream_tags=language", "-of", "csv=p=0", mp4.path])
        #expect(String(decoding: tracks, as: UTF8.self).contains("mov_text,eng"))

        // HLS: a subtitles rendition named by the master, aligned with the segments' timestamps.
        let master = try String(contentsOf: directory.appendingPathComponent("hls/master.m3u8"), encoding: .utf8)
        #expect(master.contains(#"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subtitles""#))
        #expect(master.contains(#"LANGUAGE="en""#) && master.contains(#"URI="subtitles/playlist.m3u8""#))
        #expect(master.contains(#"SUBTITLES="subtitles""#))
        let hlsFiles = try #require(results.first { $0.job == "hls" }?.files)
        #expect(hlsFiles.contains { $0.relativePath == "hls/subtitles/captions.vtt" && $0.contentType == "text/vtt" })
        let hlsVTT = try String(contentsOf: directory.appendingPathComponent("hls/subtitles/captions.vtt"), encoding: .utf8)
        #expect(hlsVTT.contains("X-TIMESTAMP-MAP=MPEGTS:"))
        // FFmpeg reads the HLS rendition with its subtitles.
        let streams = try await runTool(
            "ffprobe", ["-show_entries", "stream=codec_type", "-of", "csv=p=0", directory.appendingPathComponent("hls/subtitles/playlist.m3u8").path])
        #expect(String(decoding: streams, as: UTF8.self).contains("subtitle"))
    }

    @Test("long audio is transcribed a chunk at a time: the times of later chunks continue from the earlier ones")
    func chunks() async throws {
        let speech = try await SpeechMedia.get()
        var transcriber = Self.transcriber()
        transcriber.chunkSeconds = 5
        let pipeline = MediaJobPipeline(options: fastOptions, transcriber: transcriber)
        let directory = try await TestMedia.get().jobDirectory()
        _ = try await pipeline.run(jobs: ["transcribe"], input: speech.video, outputDirectory: directory)
        let transcript = try JSONDecoder().decode(Transcript.self, from: Data(contentsOf: directory.appendingPathComponent("transcribe/transcript.json")))
        #expect(transcript.segments.contains { $0.start >= 10 }, "\(transcript.segments)")
        #expect(zip(transcript.segments, transcript.segments.dropFirst()).allSatisfy { $0.start <= $1.start })
        #expect(transcript.segments.allSatisfy { $0.end <= speech.duration + 0.05 })
        let heard = transcript.segments.map(\.text).joined(separator: " ")
        #expect(wordErrorRate(reference: SpeechMedia.text, hypothesis: heard) <= 0.5, "\(heard)")
    }

    @Test("cancelling a transcription stops the recogniser within 2 s and leaves no process")
    func cancellation() async throws {
        let speech = try await SpeechMedia.get()
        let pids = MutexBox<[Int32]>([])
        let (started, continuation) = AsyncStream.makeStream(of: Int32.self)
        let pipeline = MediaJobPipeline(
            options: fastOptions,
            transcriber: Self.transcriber { pid in
                pids.withLock { $0.append(pid) }
                continuation.yield(pid)
            })
        let directory = try await TestMedia.get().jobDirectory()
        let task = Task { try await pipeline.run(jobs: ["transcribe"], input: speech.long, outputDirectory: directory) }
        // The recogniser runs (FFmpeg has written the audio): cancel it.
        _ = try await withDeadline(60) {
            var iterator = started.makeAsyncIterator()
            return await iterator.next() ?? -1
        }
        let pid = try #require(pids.withLock { $0.last })
        let cancelledAt = ContinuousClock.now
        task.cancel()
        let result = await task.result
        let waited = ContinuousClock.now - cancelledAt
        #expect(waited < .seconds(2), "the recogniser stopped \(waited) after the cancellation")
        if case .failure(let error as MediaError) = result { #expect(error.code == .cancelled) } else { Issue.record("\(result)") }
        #expect(!processExists(pid))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("transcribe").path)) ?? []
        #expect(!left.contains(".speech.wav"))
    }
}
