import Foundation
import Testing

@testable import VideoCore

@Suite struct VideoTimestampTests {
    @Test(arguments: [Int64(0), 1, 999, 1_700_000_000_123, -1, -1001, 4_102_444_800_000])
    func roundTrip(milliseconds: Int64) throws {
        let date = VideoTimestamp.date(milliseconds: milliseconds)
        #expect(VideoTimestamp.milliseconds(date) == milliseconds)
        #expect(VideoTimestamp.normalized(date) == date)
        let text = VideoTimestamp.iso8601String(date)
        #expect(text.hasSuffix("Z") && text.contains("."))
        #expect(VideoTimestamp.parseISO8601(text) == date, "\(text)")
    }

    @Test func formats() {
        #expect(VideoTimestamp.iso8601String(VideoTimestamp.date(milliseconds: 1_700_000_000_120)) == "2023-11-14T22:13:20.120Z")
        #expect(VideoTimestamp.parseISO8601("2023-11-14T22:13:20Z") == VideoTimestamp.date(milliseconds: 1_700_000_000_000))
        #expect(VideoTimestamp.parseISO8601("2023-11-14T23:13:20.5+01:00") == VideoTimestamp.date(milliseconds: 1_700_000_000_500))
        #expect(VideoTimestamp.parseISO8601("2023-11-14T22:13:20.1234567Z") == VideoTimestamp.date(milliseconds: 1_700_000_000_123))
        for bad in ["", "yesterday", "2023-11-14", "2023-11-14T22:13:20.Z", "2023-13-14T22:13:20Z", String(repeating: "9", count: 100)] {
            #expect(VideoTimestamp.parseISO8601(bad) == nil, "\(bad)")
        }
    }
}
