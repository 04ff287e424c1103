import Foundation
import Testing

@testable import VideoCore

@Suite struct JobTypeTests {
    @Test func knownAndUnknown() throws {
        let decoded = try JSONDecoder().decode([JobType].self, from: Data(#"["transcode","cut_analysis","teleport"]"#.utf8))
        #expect(decoded == [.transcode, .cutAnalysis, JobType(rawValue: "teleport")])
        #expect(decoded.map(\.isKnown) == [true, true, false])
        #expect(String(decoding: try JSONEncoder().encode([JobType.hls]), as: UTF8.self) == #"["hls"]"#)
        #expect(JobType.known.count == 6)
    }
}
