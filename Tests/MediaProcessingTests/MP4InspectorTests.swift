import Foundation
import Testing

@testable import MediaProcessing

/// The in-process MP4 reader used for our own outputs: it must agree with ffprobe on real FFmpeg files and
/// refuse anything truncated, damaged or hostile — quickly, whatever the bytes claim.
@Suite struct MP4InspectorTests {
    @Test(arguments: ["hd", "small", "silent", "scenes"])
    func inspectorAgreesWithFFprobeOnFFmpegFiles(_ name: String) async throws {
        let media = try await TestMedia.get()
        let url = media.directory.appendingPathComponent("\(name).mp4")
        let probed = try await Probed.of(url)
        let summary = try #require(MP4Inspector().inspect(url))
        #expect(abs(summary.duration - probed.duration) < 0.05, "\(summary.duration) vs ffprobe \(probed.duration)")
        #expect(summary.width == probed.video?.width)
        #expect(summary.height == probed.video?.height)
        #expect(summary.hasAudio == (probed.audio != nil))
    }

    @Test func faststartOutputsAreReadToo() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let output = directory.appendingPathComponent("faststart.mp4")
        try await runTool("ffmpeg", ["-y", "-i", media.small.path, "-c", "copy", "-movflags", "+faststart", output.path])
        let summary = try #require(MP4Inspector().inspect(output))
        #expect(summary.width == 320 && summary.height == 240)
        #expect(abs(summary.duration - 3) < 0.1)
    }

    @Test func truncatedFilesAreRefused() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        let data = try Data(contentsOf: media.small)
        for fraction in [0.99, 0.5, 0.1] {
            let cut = directory.appendingPathComponent("cut-\(fraction).mp4")
            try data.prefix(Int(Double(data.count) * fraction)).write(to: cut)
            #expect(MP4Inspector().inspect(cut) == nil, "a file cut at \(fraction) was accepted")
        }
        let grown = directory.appendingPathComponent("grown.mp4")
        try (data + Data([0, 0, 0])).write(to: grown)
        #expect(MP4Inspector().inspect(grown) == nil, "trailing bytes that are not a box were accepted")
    }

    @Test func malformedAndHostileBytesAreRefused() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
            let size = UInt32(8 + payload.count)
            return withUnsafeBytes(of: size.bigEndian, Array.init) + Array(type.utf8) + payload
        }
        var random = SystemRandomNumberGenerator()
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("random", (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }),
            ("no-moov", box("ftyp", Array("isom".utf8) + [0, 0, 2, 0]) + box("mdat", [1, 2, 3])),
            ("no-mdat", box("moov", box("mvhd", [UInt8](repeating: 0, count: 100)))),
            ("size-below-header", [0, 0, 0, 4] + Array("moov".utf8) + [UInt8](repeating: 0, count: 32)),
            ("size-beyond-file", [0x7f, 0xff, 0xff, 0xff] + Array("moov".utf8) + [UInt8](repeating: 0, count: 32)),
            ("zero-timescale", box("moov", box("mvhd", [UInt8](repeating: 0, count: 100))) + box("mdat", [0])),
            ("huge-mvhd", box("moov", box("mvhd", [UInt8](repeating: 1, count: 100_000))) + box("mdat", [0])),
            ("deep-nesting", (0..<50).reduce(box("mdat", [0])) { inner, _ in box("trak", inner) }),
        ]
        for (name, bytes) in cases {
            let url = directory.appendingPathComponent("\(name).mp4")
            try Data(bytes).write(to: url)
            #expect(MP4Inspector().inspect(url) == nil, "\(name) was accepted")
        }
        #expect(MP4Inspector().inspect(directory.appendingPathComponent("missing.mp4")) == nil)
    }

    @Test func manyTinyBoxesStopAtTheLimit() async throws {
        let media = try await TestMedia.get()
        let directory = try media.jobDirectory()
        // 200,000 eight-byte "free" boxes: structurally valid, but far more than any output has.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1_600_000)
        for _ in 0..<200_000 { bytes += [0, 0, 0, 8] + Array("free".utf8) }
        let url = directory.appendingPathComponent("tiny-boxes.mp4")
        try Data(bytes).write(to: url)
        #expect(MP4Inspector().inspect(url) == nil)
    }
}
