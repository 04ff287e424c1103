import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceSupport
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// Presets and per-upload processing options: resolved and validated at upload, stored on the record, carried in its
/// queue message; a bad field is a 400 naming it, and nothing is left behind.
@Suite struct PresetTests {
    static let catalog = PresetCatalog(
        presets: ["web": ProcessingOptions(renditions: [720, 480]), "hq": ProcessingOptions(renditions: [1080], codec: .hevc, quality: 22)],
        defaultPreset: "web")

    static func fixture() async throws -> ProducerFixture {
        try await ProducerFixture { configuration in
            configuration.presets = catalog
            configuration.codecs = [.h264, .hevc]
        }
    }

    /// The `field` of a JSON error answer.
    static func errorField(_ body: ByteBuffer) -> String? {
        struct Body: Decodable {
            struct Detail: Decodable { var field: String? }
            var error: Detail
        }
        return (try? JSONDecoder().decode(Body.self, from: Data(body.readableBytesView)))?.error.field
    }

    @Test func theDefaultPresetAndTheCallersOptionsAreStoredAndQueued() async throws {
        let fixture = try await Self.fixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let options = #"{"quality":20,"segmentDuration":2}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let (plain, chosen) = try await fixture.withClient { client in
                let plain = try await client.execute(
                    uri: "/v1/videos", method: .post, headers: ProducerFixture.headers(key: fixture.alice),
                    body: SampleVideo.mp4
                ) { response in
                    #expect(response.status == .accepted)
                    return try ProducerFixture.decode(VideoResponse.self, response.body).video
                }
                let chosen = try await client.execute(
                    uri: "/v1/videos?preset=hq&options=\(options)", method: .post,
                    headers: ProducerFixture.headers(key: fixture.alice), body: SampleVideo.mp4
                ) { response in
                    #expect(response.status == .accepted)
                    return try ProducerFixture.decode(VideoResponse.self, response.body).video
                }
                return (plain, chosen)
            }
            #expect(plain.preset == "web")
            #expect(plain.options == ProcessingOptions(renditions: [720, 480]))
            #expect(chosen.preset == "hq")
            #expect(chosen.options == ProcessingOptions(renditions: [1080], codec: .hevc, quality: 20, segmentDuration: 2))
            // Stored, and carried to the consumer by the queue message.
            let stored = try #require(try await fixture.store.video(id: chosen.id, owner: nil))
            #expect(stored.options == chosen.options)
            let messages = try await fixture.sqs.receive(from: fixture.queueURL, maximumMessages: 10, waitTime: 5)
            let queued = try messages.map { try QueueMessage.decode($0.body).video }
            #expect(queued.first { $0.id == chosen.id }?.options == chosen.options || queued.count < 2)
        }
    }

    @Test func aMultipartFormGivesThePresetAndOptionsAsFields() async throws {
        let fixture = try await Self.fixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let video = try await fixture.uploadForm(fields: [("preset", "hq"), ("options", #"{"renditions":[360]}"#)], filename: "a.mp4")
            #expect(video.preset == "hq")
            #expect(video.options == ProcessingOptions(renditions: [360], codec: .hevc, quality: 22))
        }
    }

    @Test(arguments: [
        ("preset=nope", "unknown_preset", "preset"),
        ("options=%7B%22renditions%22%3A%5B720%2C99%5D%7D", "invalid_options", "options.renditions[1]"),
        ("options=%7B%22codec%22%3A%22av1%22%7D", "invalid_options", "options.codec"),
        ("options=%7B%22quality%22%3A%22best%22%7D", "invalid_options", "options.quality"),
        ("options=%7B%22colour%22%3A1%7D", "invalid_options", "options.colour"),
        ("options=%5B%5D", "invalid_options", "options"),
        ("preset=hq&options=%7B%22quality%22%3A60%7D", "invalid_options", "options.quality"),
    ])
    func badPresetsAndOptionsAreRefusedWithTheirFieldAndLeaveNothing(query: String, code: String, field: String) async throws {
        let fixture = try await Self.fixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(
                    uri: "/v1/videos?\(query)", method: .post, headers: ProducerFixture.headers(key: fixture.alice),
                    body: SampleVideo.mp4
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(ProducerFixture.errorCode(response.body) == code)
                    #expect(Self.errorField(response.body) == field)
                }
                // A direct upload's start refuses the same before any URL is made.
                try await client.execute(
                    uri: "/v1/uploads", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "application/json"),
                    body: ByteBuffer(string: #"{"size": 1000, "options": {"renditions": [100]}}"#)
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(Self.errorField(response.body) == "options.renditions[0]")
                }
            }
            try await fixture.expectNothingLeft()
        }
    }

    @Test func aDirectUploadCarriesItsPresetAndOptionsInItsToken() async throws {
        let fixture = try await Self.fixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(
                    uri: "/v1/uploads", method: .post, headers: ProducerFixture.headers(key: fixture.alice, contentType: "application/json"),
                    body: ByteBuffer(string: #"{"size": 1000, "preset": "hq", "options": {"thumbnailCount": 3}}"#)
                ) { response in
                    #expect(response.status == .created)
                    let start = try ProducerFixture.decode(UploadRoutes.StartResponse.self, response.body)
                    let token = try UploadToken.verify(start.uploadID, secret: fixture.configuration.uploadSecret)
                    #expect(token.preset == "hq")
                    #expect(token.options == ProcessingOptions(renditions: [1080], codec: .hevc, quality: 22, thumbnailCount: 3))
                }
            }
        }
    }

    @Test func theOpenAPIDocumentAndReadinessShowThisProducersCodecsAndPresets() async throws {
        let fixture = try await Self.fixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.withClient { client in
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                    let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
                    let options = schemas?["ProcessingOptions"] as? [String: Any]
                    let codec = (options?["properties"] as? [String: Any])?["codec"] as? [String: Any]
                    #expect(codec?["enum"] as? [String] == ["h264", "hevc"])
                    #expect((schemas?["PresetName"] as? [String: Any])?["enum"] as? [String] == ["hq", "web"])
                }
                try await client.execute(uri: "/readyz", method: .get) { response in
                    let text = String(buffer: response.body)
                    #expect(text.contains(#""codecs":["h264","hevc"]"#))
                    #expect(text.contains(#""defaultPreset":"web""#))
                }
            }
        }
    }

    @Test func aPresetsFileIsReadAndEveryMistakeInItNamesItsPlace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func load(_ json: String, codecs: Set<VideoCodec> = [.h264, .hevc]) throws -> PresetCatalog {
            let path = directory.file("presets-\(UUID().uuidString).json")
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            return try PresetCatalog.load(path: path, codecs: codecs)
        }
        let catalog = try load(#"{"default": "web", "presets": {"web": {"renditions": [480, 720]}, "4k": {"renditions": [2160], "codec": "hevc"}}}"#)
        #expect(catalog.defaultPreset == "web")
        #expect(catalog.presets["web"]?.renditions == [720, 480])
        #expect(try load(#"{"presets": {"only": {}}}"#).defaultPreset == "only")
        let mistakes = [
            (#"{"presets": {"a": {"renditions": [10]}}}"#, "presets.a.renditions[0]"),
            (#"{"default": "b", "presets": {"a": {}}}"#, "'b'"),
            (#"{"presets": {"a": {}, "b": {}}}"#, "default"),
            (#"{"presets": {"bad name!": {}}}"#, "bad name!"),
            (#"{"presets": {"a": {"codec": "av1"}}}"#, "presets.a.codec"),
            (#"{"presets": {}}"#, "no preset"),
            ("not json", "not a presets document"),
        ]
        for (json, mention) in mistakes {
            do {
                _ = try load(json)
                Issue.record("\(json) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.setting == "VIDEOQUEUE_PRESETS_FILE")
                #expect(error.message.contains(mention), "\(json): \(error.message)")
            } catch {
                Issue.record("\(json): \(error)")
            }
        }
        #expect(throws: ConfigurationError.self) { try PresetCatalog.load(path: directory.file("missing.json"), codecs: [.h264]) }
    }
}
