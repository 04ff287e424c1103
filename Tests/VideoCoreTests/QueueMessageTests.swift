import Foundation
import Testing

@testable import VideoCore

@Suite struct QueueMessageTests {
    @Test func roundTrip() throws {
        let record = Fixtures.record()
        let body = try QueueMessage(video: record).encodedString()
        let decoded = try QueueMessage.decode(body)
        #expect(decoded.version == 1)
        #expect(decoded.video == record)
        #expect(body.hasPrefix(#"{"version":1,"video":{"#))
        #expect(body.contains(#""createdAt":"2023-11-14T22:13:20.123Z""#))
        #expect(body.contains(#""jobs":["transcode","thumbnails"]"#))
    }

    @Test func minimalRecordRoundTripsWithoutOptionalFields() throws {
        let record = VideoRecord(
            owner: "bob", title: "", originalFilename: "a.mp4", sourceBucket: "b", sourceKey: "k",
            size: 0, contentType: "video/mp4", jobs: [])
        let body = try QueueMessage(video: record).encodedString()
        #expect(!body.contains("etaSeconds") && !body.contains("\"error\""))
        #expect(try QueueMessage.decode(body).video == record)
    }

    @Test func unicodeAndHostileStringsRoundTrip() throws {
        let title = "Robert'); DROP TABLE videos;-- \u{0} \"quoted\" \\ \n\t 日本語 👩‍👩‍👧 \u{202E}rtl \u{FEFF}"
        let record = Fixtures.record(title: title)
        let decoded = try QueueMessage.decode(try QueueMessage(video: record).encoded())
        #expect(decoded.video.title == title)
        #expect(decoded.video.title.unicodeScalars.elementsEqual(title.unicodeScalars))
    }

    @Test func unknownFieldsAreIgnored() throws {
        let record = Fixtures.record()
        var json = try Fixtures.json(record)
        json["traceparent"] = "00-abc-def-01"
        json["extra"] = ["nested": [1, 2, 3]]
        var video = try #require(json["video"] as? [String: Any])
        video["priority"] = 7
        video["future"] = ["a": NSNull()]
        json["video"] = video
        #expect(try QueueMessage.decode(try Fixtures.data(json)).video == record)
    }

    @Test func unknownJobTypeStillDecodes() throws {
        var json = try Fixtures.json(Fixtures.record())
        var video = try #require(json["video"] as? [String: Any])
        video["jobs"] = ["transcode", "hologram"]
        json["video"] = video
        let decoded = try QueueMessage.decode(try Fixtures.data(json))
        #expect(decoded.video.jobs.map(\.isKnown) == [true, false])
    }

    static let malformed: [(String, QueueMessageError.Code)] = [
        ("", .malformedJSON),
        ("not json", .malformedJSON),
        ("{", .malformedJSON),
        (#"{"version":1,"video":{"id":"#, .malformedJSON),
        ("[]", .malformedJSON),
        ("42", .malformedJSON),
        ("null", .malformedJSON),
        (#""a string""#, .malformedJSON),
        ("{}", .missingField),
        (#"{"video":{}}"#, .missingField),
        (#"{"version":1}"#, .missingField),
        (#"{"version":2,"video":{}}"#, .unsupportedVersion),
        (#"{"version":0,"video":{}}"#, .unsupportedVersion),
        (#"{"version":-1}"#, .unsupportedVersion),
        (#"{"version":"1","video":{}}"#, .invalidField),
        (#"{"version":1.5,"video":{}}"#, .invalidField),
        (#"{"version":1,"video":[]}"#, .invalidField),
        (#"{"version":1,"video":{}}"#, .missingField),
    ]

    @Test(arguments: malformed)
    func malformedMessages(body: String, code: QueueMessageError.Code) {
        #expect(throws: QueueMessageError.self) { try QueueMessage.decode(body) }
        do {
            _ = try QueueMessage.decode(body)
        } catch {
            #expect(error.code == code, "\(body): \(error)")
            #expect(!error.message.isEmpty)
        }
    }

    /// Each field of a valid message replaced by something of the wrong type, or removed.
    @Test(arguments: [
        "id", "owner", "title", "size", "jobs", "status", "createdAt", "stage", "progress", "outputs",
        "error", "attempts", "queuedAt",
    ])
    func wrongTypesAndMissingFields(field: String) throws {
        var json = try Fixtures.json(Fixtures.record())
        var video = try #require(json["video"] as? [String: Any])
        let original = video[field]
        video[field] = ["error", "outputs", "jobs"].contains(field) ? "text" as Any : ["not": "this"] as Any
        json["video"] = video
        let wrongType = decodeError(try Fixtures.data(json))
        #expect(wrongType?.code == .invalidField, "\(field): \(String(describing: wrongType))")
        #expect(wrongType?.field?.hasPrefix("video.\(field)") == true, "\(String(describing: wrongType?.field))")

        video[field] = nil
        json["video"] = video
        let missing = decodeError(try Fixtures.data(json))
        let optional: Set<String> = ["stage", "progress", "outputs", "error", "attempts", "queuedAt"]
        if optional.contains(field) {
            #expect(missing == nil, "\(field) is optional")
        } else {
            #expect(missing?.code == .missingField, "\(field)")
            #expect(missing?.field == "video.\(field)")
        }
        _ = original
    }

    /// (field, JSON value) pairs of the right type but an invalid value, or of a wrong type.
    @Test(arguments: [
        ("id", #""not-a-uuid""#), ("status", #""exploded""#), ("stage", #""dancing""#), ("progress", "101"),
        ("progress", "-1"), ("size", "-5"), ("createdAt", #""yesterday""#), ("createdAt", "1700000000"),
        ("jobs", "[1,2]"), ("attempts", "1.5"), ("outputs", #"[{"kind":"mp4"}]"#), ("error", #"{"code":1}"#),
    ])
    func invalidValues(field: String, value: String) throws {
        var json = try Fixtures.json(Fixtures.record())
        var video = try #require(json["video"] as? [String: Any])
        video[field] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        json["video"] = video
        let error = decodeError(try Fixtures.data(json))
        #expect(error?.code == .invalidField || error?.code == .missingField, "\(field)=\(value): \(String(describing: error))")
        #expect(error?.field?.hasPrefix("video.\(field)") == true, "\(String(describing: error?.field))")
    }

    @Test func hugeMessagesAreRefused() throws {
        let big = Fixtures.record(title: String(repeating: "x", count: QueueMessage.maximumSize))
        do { _ = try QueueMessage(video: big).encoded() } catch { #expect(error.code == .tooLarge) }

        let huge = Data(repeating: UInt8(ascii: " "), count: QueueMessage.maximumSize + 1)
        #expect(decodeError(huge)?.code == .tooLarge)

        // Just under the limit still works, multi-byte characters counted as bytes.
        let fits = Fixtures.record(title: String(repeating: "é", count: 100_000))
        let body = try QueueMessage(video: fits).encoded()
        #expect(body.count < QueueMessage.maximumSize)
        #expect(try QueueMessage.decode(body).video.title.count == 100_000)
        let tooManyBytes = Fixtures.record(title: String(repeating: "é", count: 140_000))
        #expect(throws: QueueMessageError.self) { try QueueMessage(video: tooManyBytes).encoded() }
    }

    @Test func invalidUTF8AndDeepNesting() {
        #expect(decodeError(Data([0x7B, 0xFF, 0xFE, 0x7D]))?.code == .malformedJSON)
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(decodeError(Data(deep.utf8)) != nil)
        let deepInVideo = #"{"version":1,"video":"# + deep + "}"
        #expect(decodeError(Data(deepInVideo.utf8)) != nil)
    }

    @Test func errorDescriptionNamesCodeAndField() {
        let error = QueueMessageError(code: .missingField, message: "missing field video.id", field: "video.id")
        #expect(error.description == "queue message missingField: missing field video.id (field video.id)")
    }

    private func decodeError(_ data: Data) -> QueueMessageError? {
        do {
            _ = try QueueMessage.decode(data)
            return nil
        } catch {
            return error
        }
    }
}
