import Foundation
import Testing
import VideoQueueClient

@Suite("The tool's pure parts")
struct ClientUnitTests {
    @Test("the progress line: bar, percent, sizes, rate and ETA; a finished bar is full; no total: the bytes only")
    func progressLine() {
        let bar = ProgressBar(width: 10)
        #expect(
            bar.line(label: "a.mp4", done: 5_000_000, total: 10_000_000, elapsed: 2)
                == "a.mp4 [#####-----]  50.0 % 5.0 MB of 10.0 MB 2.5 MB/s ETA 0:02")
        #expect(bar.line(label: "a.mp4", done: 10_000_000, total: 10_000_000, elapsed: 4).contains("[##########] 100.0 %"))
        #expect(bar.line(label: "a.mp4", done: 12_000_000, total: 10_000_000, elapsed: 4).contains("100.0 %"), "never past full")
        #expect(bar.line(label: "x", done: 1500, total: nil, elapsed: 1) == "x 1.5 kB")
        #expect(bar.line(label: "job", done: 42, total: 100, elapsed: 0, bytes: false) == "job [####------]  42.0 %")
        #expect(ProgressBar.clock(3725) == "1:02:05" && ProgressBar.clock(7) == "0:07" && ProgressBar.clock(.infinity) == "99:59:59")
        #expect(ProgressBar.bytes(999) == "999 B" && ProgressBar.bytes(1_234_567_890) == "1.2 GB")
    }

    @Test("a plain (non-terminal) printer writes a line per tenth, never more; a terminal one redraws in place")
    func printer() {
        let lines = Lines()
        let plain = ProgressPrinter(label: "f", total: 1000, terminal: false) { lines.append($0) }
        for done in stride(from: 0, through: 1000, by: 1) { plain.update(Double(done)) }
        #expect(lines.all.count == 11)
        #expect(lines.all.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        let drawn = Lines()
        let terminal = ProgressPrinter(label: "f", total: 1000, terminal: true) { drawn.append($0) }
        terminal.update(10)
        terminal.update(1000, final: true)
        #expect(drawn.all.first?.hasPrefix("\r") == true)
        #expect(drawn.all.last?.hasSuffix("\n") == true)
    }

    @Test("server-sent events: fields gathered to the blank line, comments and unknown fields ignored, split anywhere")
    func events() {
        var parser = EventStreamParser()
        let stream = ": keep-alive\n\nid: 1\nevent: progress\ndata: {\"a\":1}\n\nevent: done\r\ndata: {\"b\":\r\ndata: 2}\r\nretry: 5\r\n\r\n"
        var events: [EventStreamParser.Event] = []
        for byte in Array(stream.utf8) { events += parser.feed([byte]) }  // one byte at a time
        #expect(events == [.init(name: "progress", data: "{\"a\":1}"), .init(name: "done", data: "{\"b\":\n2}")])
    }

    @Test("a stream that never ends a line cannot grow the parser's memory past its cap")
    func endlessLine() {
        var parser = EventStreamParser()
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<8 { #expect(parser.feed(Array("data: ".utf8) + chunk).isEmpty) }
        let events = parser.feed(Array("\n\n".utf8))
        #expect(events.count == 1)
        #expect((events.first?.data.utf8.count ?? 0) <= EventStreamParser.maximumLineBytes)
    }
}

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
