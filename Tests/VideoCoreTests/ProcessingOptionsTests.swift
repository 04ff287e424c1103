import Foundation
import Testing
import VideoCore

@Suite("Processing options")
struct ProcessingOptionsTests {
    let all = Set(VideoCodec.allCases)

    @Test("valid options are normalised: renditions largest first")
    func validOptions() throws {
        let options = try ProcessingOptions.decode(
            Data(
                #"{"renditions":[480,1080,720],"codec":"hevc","quality":28,"segmentDuration":2,"thumbnailInterval":5,"audioBitRate":96000,"language":"de"}"#
                    .utf8))
        let checked = try options.validated(codecs: all)
        #expect(checked.renditions == [1080, 720, 480])
        #expect(checked.codec == .hevc && checked.quality == 28 && checked.segmentDuration == 2)
        #expect(checked.thumbnailInterval == 5 && checked.audioBitRate == 96000 && checked.language == "de")
        #expect(try ProcessingOptions.decode(Data("{}".utf8)).isEmpty)
    }

    @Test(
        "every bad field is refused with its path",
        arguments: [
            (#"{"renditions":[]}"#, "options.renditions"), (#"{"renditions":[720,100]}"#, "options.renditions[1]"),
            (#"{"renditions":[720,4320]}"#, "options.renditions[1]"), (#"{"renditions":[720,720]}"#, "options.renditions"),
            (#"{"renditions":[1,2,3,4,5,6,7,8,9]}"#, "options.renditions"), (#"{"renditions":["720"]}"#, "options.renditions[0]"),
            (#"{"codec":"vp9"}"#, "options.codec"), (#"{"quality":52}"#, "options.quality"), (#"{"quality":-1}"#, "options.quality"),
            (#"{"codec":"av1","quality":64}"#, "options.quality"), (#"{"segmentDuration":0.5}"#, "options.segmentDuration"),
            (#"{"segmentDuration":1e308}"#, "options.segmentDuration"), (#"{"thumbnailCount":0}"#, "options.thumbnailCount"),
            (#"{"thumbnailCount":101}"#, "options.thumbnailCount"), (#"{"thumbnailInterval":0.1}"#, "options.thumbnailInterval"),
            (#"{"thumbnailCount":5,"thumbnailInterval":2}"#, "options.thumbnailInterval"), (#"{"audioBitRate":1}"#, "options.audioBitRate"),
            (#"{"language":"english"}"#, "options.language"), (#"{"language":"EN"}"#, "options.language"),
            (#"{"renditon":[720]}"#, "options.renditon"), (#"{"quality":null}"#, "options.quality"), (#"[1]"#, "options"), (#"not json"#, "options"),
            (#"{"quality":"high"}"#, "options.quality"),
        ])
    func badFields(json: String, field: String) {
        do {
            _ = try ProcessingOptions.decode(Data(json.utf8)).validated(codecs: all)
            Issue.record("\(json) was accepted")
        } catch {
            #expect(error.field == field, "\(json): \(error)")
        }
    }

    @Test("a codec this machine's FFmpeg cannot encode is refused, naming the ones it can")
    func unavailableCodec() {
        do {
            _ = try ProcessingOptions(codec: .av1).validated(codecs: [.h264])
            Issue.record("accepted")
        } catch {
            #expect(error.field == "options.codec")
            #expect(error.message.contains("h264"))
        }
    }

    @Test("options over 4 KiB are refused before they are parsed")
    func oversized() {
        let json = #"{"language":"en","x":""# + String(repeating: "a", count: 5000) + #""}"#
        #expect(throws: ProcessingOptions.Problem.self) { try ProcessingOptions.decode(Data(json.utf8)) }
    }

    @Test("the caller's fields go over the preset's; a count replaces an interval and the reverse")
    func overriding() {
        let preset = ProcessingOptions(renditions: [1080, 720], codec: .hevc, thumbnailInterval: 10)
        let merged = preset.overridden(by: ProcessingOptions(renditions: [480], thumbnailCount: 4))
        #expect(merged == ProcessingOptions(renditions: [480], codec: .hevc, thumbnailCount: 4))
        #expect(preset.overridden(by: ProcessingOptions()) == preset)
    }

    @Test("the codecs come from ffmpeg -encoders: video encoders only")
    func encoderList() {
        let listing = """
            Encoders:
             V..... = Video
             ------
             V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
             V....D libx265              libx265 H.265 / HEVC (codec hevc)
             A....D libsvtav1            (an audio line that names the AV1 encoder must not count)
            """
        #expect(VideoCodec.available(inEncoderList: listing) == [.h264, .hevc])
        #expect(VideoCodec.list("h264, HEVC") == [.h264, .hevc])
        #expect(VideoCodec.list("h264,vp9") == nil)
        #expect(VideoCodec.list(" , ") == nil)
    }

    @Test("records and queue messages carry the preset and the options; older records without them still decode")
    func recordRoundTrip() throws {
        var record = Fixtures.record()
        record.preset = "web"
        record.options = ProcessingOptions(renditions: [720], codec: .hevc)
        let decoded = try QueueMessage.decode(try QueueMessage(video: record).encoded()).video
        #expect(decoded.preset == "web")
        #expect(decoded.options == record.options)
        record.preset = nil
        record.options = nil
        #expect(try QueueMessage.decode(try QueueMessage(video: record).encoded()).video.options == nil)
    }
}
