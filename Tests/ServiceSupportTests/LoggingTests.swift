import Foundation
import Logging
import ServiceSupport
import Synchronization
import Testing

/// Collects what a handler writes.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite("Log formats")
struct LoggingTests {
    func logger(_ format: LogFormat, syslog: Bool = false, into lines: Lines) -> Logger {
        Logger(label: "videoqueue.test") { label in
            ServiceLogHandler(label: label, level: .debug, format: format, syslogPriorities: syslog) { lines.append($0) }
        }
    }

    @Test("JSON: one object per line, with the same fields as the text and each metadata key at the top level")
    func json() throws {
        let lines = Lines()
        var logger = logger(.json, into: lines)
        logger[metadataKey: "request_id"] = "r-1"
        logger.warning("upload refused", metadata: ["video_id": "abc", "size": "\(42)", "tags": ["a", "b"]])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["message"] as? String == "upload refused")
        #expect(object["label"] as? String == "videoqueue.test")
        #expect(object["video_id"] as? String == "abc")
        #expect(object["request_id"] as? String == "r-1")
        #expect(object["size"] as? String == "42")
        #expect(object["tags"] as? [String] == ["a", "b"])
        #expect((object["timestamp"] as? String)?.hasPrefix("20") == true)
        #expect(object["source"] != nil)
    }

    @Test("a message with newlines and quotes stays one JSON line")
    func hostileMessage() throws {
        let lines = Lines()
        logger(.json, into: lines).error("line one\nline two \"quoted\" \u{0}")
        let line = try #require(lines.all.first)
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "line one\nline two \"quoted\" \u{0}")
    }

    @Test("text under journald starts each line with its syslog priority, so journalctl -p selects by level")
    func syslogPriorities() {
        let lines = Lines()
        let logger = logger(.text, syslog: true, into: lines)
        logger.critical("a")
        logger.error("b")
        logger.warning("c")
        logger.notice("d")
        logger.info("e", metadata: ["video_id": "x"])
        logger.debug("f")
        #expect(lines.all.map { String($0.prefix(3)) } == ["<2>", "<3>", "<4>", "<5>", "<6>", "<7>"])
        #expect(lines.all[4].contains("video_id=x") && lines.all[4].hasSuffix("e\n"))
        let plain = Lines()
        self.logger(.text, into: plain).error("g")
        #expect(plain.all.first?.hasPrefix("<") == false)
    }

    @Test("LOG_FORMAT names the format; anything else is text")
    func formatNames() {
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "text") == .text)
        #expect(LogFormat(rawValue: "xml") == nil)
    }
}

@Suite("Process metrics")
struct ProcessMetricsTests {
    @Test("the exposition has the build info and the standard process metrics, each with its type")
    func processMetrics() {
        let text = PrometheusMetrics.render()
        #expect(text.contains("videoqueue_build_info{version=\""))
        for name in [
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
            "process_max_fds", "process_start_time_seconds",
        ] {
            #expect(text.contains("# TYPE \(name) "), "\(name)")
            let value = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
            #expect((value ?? -1) > 0, "\(name)")
        }
    }
}
