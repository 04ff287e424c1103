import Foundation
import ServiceSupport
import TestSupport
import Testing

@Suite("Settings: flags over the environment over credential files, typed, errors naming the source")
struct SettingsTests {
    @Test func aFlagWinsOverTheEnvironmentWhichWinsOverACredentialFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "from-file".write(toFile: directory.file("DATABASE_URL"), atomically: true, encoding: .utf8)
        try "file-bucket".write(toFile: directory.file("VIDEOQUEUE_BUCKET"), atomically: true, encoding: .utf8)
        try "file-queue".write(toFile: directory.file("VIDEOQUEUE_QUEUE_URL"), atomically: true, encoding: .utf8)
        let settings = try Settings.load(
            flags: [.init("--database-url", "DATABASE_URL", "from-flag"), .init("--bucket", "VIDEOQUEUE_BUCKET", nil as String?)],
            environment: ["CREDENTIALS_DIRECTORY": directory.path, "DATABASE_URL": "from-env", "VIDEOQUEUE_BUCKET": "env-bucket"])
        #expect(settings.string("DATABASE_URL") == "from-flag")
        #expect(settings.string("VIDEOQUEUE_BUCKET") == "env-bucket")  // an unused flag stands for nothing
        #expect(settings.string("VIDEOQUEUE_QUEUE_URL") == "file-queue")
        // What the AWS libraries see: the environment with the files, never the flags.
        #expect(settings.environment["DATABASE_URL"] == "from-env")
        #expect(settings.environment["VIDEOQUEUE_QUEUE_URL"] == "file-queue")
    }

    @Test func emptyAndBlankValuesCountAsUnset() {
        let settings = Settings(["A_B": "  ", "C_D": "", "E_F": " x \n"], flags: [.init("--g", "G_H", "")])
        #expect(settings.string("A_B") == nil)
        #expect(settings.string("C_D", default: "d") == "d")
        #expect(settings.string("E_F") == "x")
        #expect(settings.string("G_H") == nil)
        #expect(throws: ConfigurationError(setting: "A_B", message: "must be set")) { try settings.required("A_B") }
    }

    @Test func malformedValuesAreErrorsNamingTheFlagOrTheVariable() {
        let settings = Settings(
            ["VIDEOQUEUE_PORT": "80x", "VIDEOQUEUE_TIMEOUT": "soon", "VIDEOQUEUE_ON": "maybe"],
            flags: [.init("--limit", "VIDEOQUEUE_LIMIT", "99999999999999999999999")])
        #expect(throws: ConfigurationError.self) { try settings.int("VIDEOQUEUE_PORT", in: 0...65_535) }
        let flagged = #expect(throws: ConfigurationError.self) { try settings.int("VIDEOQUEUE_LIMIT", in: 0...10) }
        #expect(flagged?.setting == "--limit")
        let variable = #expect(throws: ConfigurationError.self) { try settings.duration("VIDEOQUEUE_TIMEOUT") }
        #expect(variable?.setting == "VIDEOQUEUE_TIMEOUT")
        #expect(throws: ConfigurationError.self) { try settings.bool("VIDEOQUEUE_ON", default: false) }
    }

    @Test func durationsHaveOneSyntaxAndStayInTheirRange() throws {
        for (text, expected) in [
            ("90", Duration.seconds(90)), ("1.5", .milliseconds(1500)), ("500ms", .milliseconds(500)), ("30s", .seconds(30)),
            ("5m", .seconds(300)), ("1h", .seconds(3600)), (" 2H ", .seconds(7200)),
        ] {
            #expect(Settings.parseDuration(text) == expected, "\(text)")
        }
        for text in ["-1", "nan", "inf", "1e400", "1e3", "1000000000", "5 minutes", "", "m", "0x10", String(repeating: "9", count: 10_000)] {
            #expect(Settings.parseDuration(text) == nil, "\(text.prefix(20))")
        }
        let settings = Settings(["A_TIMEOUT": "2h", "B_TIMEOUT": "0"])
        #expect(try settings.duration("A_TIMEOUT", in: 0...86_400) == .seconds(7200))
        #expect(throws: ConfigurationError.self) { try settings.duration("A_TIMEOUT", in: 0...60) }
        #expect(throws: ConfigurationError.self) { try settings.duration("B_TIMEOUT", in: 1...60) }
        #expect(try settings.duration("C_TIMEOUT", default: .seconds(5)) == .seconds(5))
    }
}
