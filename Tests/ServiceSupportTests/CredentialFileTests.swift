import Foundation
import ServiceSupport
import TestSupport
import Testing

@Suite("Credentials from systemd's LoadCredential= files")
struct CredentialFileTests {
    @Test("a file of $CREDENTIALS_DIRECTORY named like a variable becomes that variable, its trailing newline trimmed")
    func filesBecomeVariables() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "postgres://u:p@db/videos\n".write(toFile: directory.file("DATABASE_URL"), atomically: true, encoding: .utf8)
        try "s3cr3t".write(toFile: directory.file("VIDEOQUEUE_UPLOAD_SECRET"), atomically: true, encoding: .utf8)
        try "ignored".write(toFile: directory.file("not-a-variable.txt"), atomically: true, encoding: .utf8)
        let environment = try Settings.withCredentials(["CREDENTIALS_DIRECTORY": directory.path, "LOG_LEVEL": "debug"])
        #expect(environment["DATABASE_URL"] == "postgres://u:p@db/videos")
        #expect(environment["VIDEOQUEUE_UPLOAD_SECRET"] == "s3cr3t")
        #expect(environment["not-a-variable.txt"] == nil)
        #expect(environment["LOG_LEVEL"] == "debug")
    }

    @Test("the environment wins over a credential file of the same name; no directory changes nothing")
    func environmentWins() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "from-file".write(toFile: directory.file("DATABASE_URL"), atomically: true, encoding: .utf8)
        let environment = try Settings.withCredentials(["CREDENTIALS_DIRECTORY": directory.path, "DATABASE_URL": "from-env"])
        #expect(environment["DATABASE_URL"] == "from-env")
        #expect(try Settings.withCredentials(["A": "b"]) == ["A": "b"])
    }

    @Test("an oversized, unreadable or non-UTF-8 credential file is an error naming the variable, never read whole")
    func hostileFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let big = Data(repeating: 0x41, count: Settings.maximumCredentialBytes + 1)
        try big.write(to: URL(fileURLWithPath: directory.file("DATABASE_URL")))
        let oversized = #expect(throws: ConfigurationError.self) {
            try Settings.withCredentials(["CREDENTIALS_DIRECTORY": directory.path])
        }
        #expect(oversized?.setting == "DATABASE_URL")
        try FileManager.default.removeItem(atPath: directory.file("DATABASE_URL"))
        try Data([0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: directory.file("VIDEOQUEUE_UPLOAD_SECRET")))
        let binary = #expect(throws: ConfigurationError.self) {
            try Settings.withCredentials(["CREDENTIALS_DIRECTORY": directory.path])
        }
        #expect(binary?.setting == "VIDEOQUEUE_UPLOAD_SECRET")
        #expect(throws: ConfigurationError.self) {
            try Settings.withCredentials(["CREDENTIALS_DIRECTORY": directory.file("missing")])
        }
    }
}
