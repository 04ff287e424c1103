import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import S3Client
import TestSupport
import Testing
import VideoCore

@testable import ProducerService

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Playback from a private bucket: LocalStack checks presigned signatures (S3_SKIP_SIGNATURE_VALIDATION=0), so an
/// altered signature fails; every URI a player follows must be signed or the route's own.
@Suite struct PlaybackTests {
    static let secret = Array("a-test-secret-of-enough-length".utf8)

    @Test func aTokenIsBoundToItsVideoSecretAndExpiry() throws {
        let id = UUID()
        let now = Date()
        let token = try PlaybackToken(videoID: id, expires: now.addingTimeInterval(60)).signed(with: Self.secret)
        #expect(PlaybackToken.verify(token, secret: Self.secret, now: now)?.videoID == id)
        #expect(PlaybackToken.verify(token, secret: Self.secret, now: now.addingTimeInterval(61)) == nil, "expired")
        #expect(PlaybackToken.verify(token, secret: Array("another-secret-of-enough-length".utf8), now: now) == nil)
        let parts = token.split(separator: ".")
        let other = try PlaybackToken(videoID: UUID(), expires: now.addingTimeInterval(60)).signed(with: Self.secret).split(separator: ".")
        #expect(PlaybackToken.verify("\(other[0]).\(parts[1])", secret: Self.secret, now: now) == nil, "a payload under another's MAC")
        for garbage in ["", ".", "a.b", String(repeating: "A", count: 10_000), token + "x"] {
            #expect(PlaybackToken.verify(garbage, secret: Self.secret, now: now) == nil)
        }
        // An upload token is not a playback token, even with the same secret.
        let upload = try UploadToken(id: id, owner: "o", title: "", jobs: [], size: 1, expires: Int64(now.timeIntervalSince1970) + 60)
            .signed(with: Self.secret)
        #expect(PlaybackToken.verify(upload, secret: Self.secret, now: now) == nil)
    }

    @Test func playlistURIsAreRewrittenAndUnknownOnesDropped() {
        let playlist = """
            #EXTM3U
            #EXT-X-MAP:URI="init.mp4"
            #EXTINF:4.0,
            segment_000.ts
            #EXTINF:4.0,
            https://elsewhere.example/evil.ts
            #EXTINF:4.0,
            ../../../../etc/passwd
            #EXT-X-ENDLIST
            """
        let rewritten = PlaylistRewriter.rewrite(playlist) { uri in
            guard let key = PlaybackRoutes.resolve(uri, against: "outputs/v/hls/240p"), key.hasPrefix("outputs/v/") else { return nil }
            return "signed:" + key
        }
        #expect(
            rewritten == """
                #EXTM3U
                #EXT-X-MAP:URI="signed:outputs/v/hls/240p/init.mp4"
                #EXTINF:4.0,
                signed:outputs/v/hls/240p/segment_000.ts
                #EXT-X-ENDLIST
                """)
        #expect(PlaybackRoutes.resolve("../master.m3u8", against: "outputs/v/hls/240p") == "outputs/v/hls/master.m3u8")
        for bad in ["/abs.ts", "http://x/y.ts", "a//b.ts", "a.ts?x=1", ""] {
            #expect(PlaybackRoutes.resolve(bad, against: "outputs/v/hls") == nil, "\(bad)")
        }
    }

    /// A completed video with a two-rendition HLS ladder and an MP4, made by FFmpeg and stored in the fixture's bucket.
    @Test func aVideoWithTensOfThousandsOfSegmentsIsAnsweredWithoutListingOrSigningThem() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let record = try await VideoAccessTests.record(fixture, owner: "alice")
            let prefix = VideoKeys.outputPrefix(record.id)
            var outputs = (0..<20_000).map {
                VideoOutput(kind: "hls/segment", key: prefix + "hls/720p/segment_\($0).ts", size: 1000, contentType: "video/mp2t")
            }
            outputs.append(VideoOutput(kind: "hls/master", key: prefix + "hls/master.m3u8", size: 100, contentType: "application/vnd.apple.mpegurl"))
            outputs.append(VideoOutput(kind: "transcode/720p", key: prefix + "transcode/720p.mp4", size: 1000, contentType: "video/mp4"))
            _ = try await fixture.store.markQueued(id: record.id)
            let claimed = try #require(try await fixture.store.claim(id: record.id))
            _ = try #require(try await fixture.store.complete(id: record.id, attempt: claimed.attempts, outputs: outputs))
            try await fixture.withClient { client in
                try await client.execute(uri: "/v1/videos/\(record.id.uuidString)", method: .get, headers: ProducerFixture.headers(key: fixture.alice)) {
                    response in
                    #expect(response.status == .ok)
                    #expect(response.body.readableBytes < 64 * 1024, "\(response.body.readableBytes) bytes")
                    let body = try ProducerFixture.decode(VideoResponse.self, response.body)
                    #expect(body.hlsSegments == 20_000)
                    #expect(body.video.outputs.map(\.kind).sorted() == ["hls/master", "transcode/720p"])
                    #expect(body.downloads?.count == 3)  // the source and the two outputs
                }
                try await client.execute(uri: "/v1/videos", method: .get, headers: ProducerFixture.headers(key: fixture.alice)) { response in
                    #expect(response.status == .ok)
                    #expect(response.body.readableBytes < 64 * 1024, "\(response.body.readableBytes) bytes")
                }
            }
        }
    }

    static func completedVideo(_ fixture: ProducerFixture) async throws -> VideoRecord {
        let record = try await VideoAccessTests.record(fixture, owner: "alice")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hls = directory.file("hls")
        var outputs: [VideoOutput] = []
        let prefix = VideoKeys.outputPrefix(record.id)
        for height in [144, 240] {
            try FileManager.default.createDirectory(atPath: "\(hls)/\(height)p", withIntermediateDirectories: true)
            try await runFFmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=\(height * 16 / 9 / 2 * 2)x\(height):rate=25:duration=4",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-f", "hls", "-hls_time", "1",
                "-hls_playlist_type", "vod", "-hls_segment_filename", "\(hls)/\(height)p/segment_%03d.ts",
                "\(hls)/\(height)p/playlist.m3u8",
            ])
        }
        let master =
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=256x144\n144p/playlist.m3u8\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240\n240p/playlist.m3u8\n"
        try master.write(toFile: "\(hls)/master.m3u8", atomically: true, encoding: .utf8)
        let files = FileManager.default.enumerator(atPath: hls)?.compactMap { $0 as? String }.filter { $0.contains(".") } ?? []
        for file in files {
            let key = prefix + "hls/" + file
            let type = file.hasSuffix(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t"
            try await fixture.s3.upload(file: "\(hls)/\(file)", bucket: fixture.bucket, key: key, contentType: type)
            let size = (try FileManager.default.attributesOfItem(atPath: "\(hls)/\(file)")[.size] as? NSNumber)?.int64Value ?? 0
            // The kinds the consumer writes (segments, each rendition's playlist, the master).
            let kind = file.hasSuffix(".ts") ? "hls/segment" : file == "master.m3u8" ? "hls/master" : "hls/\(file.split(separator: "/")[0])/playlist"
            outputs.append(VideoOutput(kind: kind, key: key, size: size, contentType: type, duration: 4))
        }
        let mp4 = prefix + "transcode/240p.mp4"
        try await fixture.s3.putObject(SampleVideo.mp4, bucket: fixture.bucket, key: mp4, contentType: "video/mp4")
        outputs.append(VideoOutput(kind: "transcode/240p", key: mp4, size: Int64(SampleVideo.mp4.readableBytes), contentType: "video/mp4"))
        _ = try await fixture.store.markQueued(id: record.id)
        let claimed = try #require(try await fixture.store.claim(id: record.id))
        return try #require(try await fixture.store.complete(id: record.id, attempt: claimed.attempts, outputs: outputs))
    }

    static func runFFmpeg(_ arguments: [String]) async throws {
        guard try await runTool(["ffmpeg", "-v", "error", "-y"] + arguments).status == 0 else { throw EmulatorError("ffmpeg failed: \(arguments)") }
    }

    /// Runs `tool` with `arguments`; returns its exit status and stdout.
    static func run(_ tool: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await runTool([tool] + arguments)
    }

    static func fetch(_ url: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = "GET"
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func ffmpegPlaysTheWholeLadderThroughThePlaybackRouteWithoutHeaders() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let record = try await Self.completedVideo(fixture)
            try await fixture.withClient { client in
                let port = try #require(client.port)
                let links = try await client.execute(
                    uri: "/v1/videos/\(record.id.uuidString)", method: .get,
                    headers: ProducerFixture.headers(key: fixture.alice)
                ) { response in
                    try ProducerFixture.decode(VideoResponse.self, response.body).playback
                }
                let playback = try #require(links)
                let master = "http://127.0.0.1:\(port)" + (try #require(playback.hls))
                // ffmpeg reads every rendition (all programs) through the route: no header, no key.
                let decoded = try await Self.run("ffmpeg", ["-v", "error", "-i", master, "-map", "0", "-c", "copy", "-f", "null", "-"])
                #expect(decoded.status == 0)
                let probe = try await Self.run("ffprobe", ["-v", "error", "-show_entries", "stream=height", "-of", "csv=p=0", master])
                #expect(Set(probe.output.split(separator: "\n").map(String.init)) == ["144", "240"])

                // The playlists it followed name nothing unsigned.
                let masterText = try await Self.fetch(master).body
                let media = masterText.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { "http://127.0.0.1:\(port)" + $0 }
                #expect(media.count == 2)
                for playlist in media {
                    let text = try await Self.fetch(playlist).body
                    let uris = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
                    #expect(!uris.isEmpty && uris.allSatisfy { $0.contains("X-Amz-Signature=") })
                    // One segment with its signature altered is refused by S3.
                    let segment = String(try #require(uris.first))
                    let altered = segment.replacingOccurrences(of: "X-Amz-Signature=", with: "X-Amz-Signature=0")
                    #expect(try await Self.fetch(segment).status == 200)
                    #expect(try await Self.fetch(altered).status == 403)
                }

                // The MP4 rendition is a redirect to its presigned URL.
                let mp4 = try #require(playback.files[VideoKeys.outputPrefix(record.id) + "transcode/240p.mp4"])
                let mp4Probe = try await Self.run(
                    "ffprobe",
                    [
                        "-v", "error", "-show_entries", "format=format_name", "-of", "csv=p=0",
                        "http://127.0.0.1:\(port)" + mp4,
                    ])
                #expect(mp4Probe.status == 0 && mp4Probe.output.contains("mp4"))
            }
        }
    }

    @Test func expiredForgedOrMisdirectedTokensAndUnknownPathsAreNotFound() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let record = try await Self.completedVideo(fixture)
            var shortLived = fixture.configuration
            shortLived.playbackTokenSeconds = 1
            let expired = try #require(
                try PlaybackRoutes.links(
                    for: record, configuration: shortLived,
                    now: Date().addingTimeInterval(-10))?.hls)
            let live = try #require(
                try PlaybackRoutes.links(
                    for: record, configuration: shortLived,
                    now: Date().addingTimeInterval(30))?.hls)
            let token = live.split(separator: "/")[2]
            let other = try await VideoAccessTests.record(fixture, owner: "alice")
            let misdirected = try PlaybackToken(videoID: other.id, expires: Date().addingTimeInterval(60)).signed(with: fixture.configuration.uploadSecret)
            try await fixture.withClient { client in
                try await client.execute(uri: live, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/vnd.apple.mpegurl")
                    // Any origin may play (the token is the whole authorization); the playlists it links carry a fresh
                    // token that outlives the link's own short one, as long as the segment URLs do.
                    #expect(response.headers[.accessControlAllowOrigin] == "*")
                    let linked = String(buffer: response.body).split(separator: "\n").filter { !$0.hasPrefix("#") }
                    #expect(linked.count == 2)
                    for link in linked {
                        let linkedToken = String(link.split(separator: "/")[2])
                        #expect(linkedToken != String(token))
                        #expect(PlaybackToken.verify(linkedToken, secret: fixture.configuration.uploadSecret, now: Date().addingTimeInterval(1800)) != nil)
                    }
                }
                for uri in [
                    expired, live.replacingOccurrences(of: String(token), with: String(token.dropLast(2)) + "AA"),
                    "/v1/play/\(misdirected)/hls/master.m3u8", "/v1/play/\(token)/hls/nothing.m3u8",
                    "/v1/play/\(token)/hls/../../../\(record.id.uuidString.lowercased())/hls/master.m3u8",
                    "/v1/play/\(token)/../../sources/\(record.id.uuidString.lowercased())/source",
                ] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .notFound, "\(uri)")
                    }
                }
            }
        }
    }
}
