import Foundation
import HTTPTypes
import Hummingbird
import S3Client
import VideoCore
import VideoStore

/// `/v1/play/{token}/…`: playback of a finished video from a private bucket, authorized by the signed playback
/// token in the path (players cannot send an API key). A playlist (`.m3u8`) is served with every URI rewritten:
/// playlists to this route (so the player comes back here for them), segments and other objects to presigned S3
/// URLs that last as long as the video plays. Any other output (an MP4 rendition, a thumbnail) is a `302` to its
/// presigned URL. Only the video's recorded outputs are served; anything else, and any bad or expired token, is a
/// `404`.
///
/// The playlist links a served playlist names carry a fresh token that lives as long as its segment URLs (the
/// video's duration and a margin): a player that switches rendition an hour into a long video still gets it. Every
/// answer allows any origin (`Access-Control-Allow-Origin: *`): the token in the path is the whole authorization (no
/// cookie or key is involved), so hls.js on another site can play the video.
struct PlaybackRoutes: Sendable {
    let configuration: ProducerConfiguration
    let store: any VideoStore
    let s3: S3Client

    /// The largest playlist served (ours are a few KiB).
    static let maximumPlaylistBytes: Int64 = 1 << 20
    static let playlistType = "application/vnd.apple.mpegurl"

    func add(to router: Router<ProducerRequestContext>) {
        router.get("v1/play/:token/**") { request, context in try await play(request, context: context) }
    }

    /// The playback links of a completed video: its HLS master playlist and each output, through this route.
    static func links(for record: VideoRecord, configuration: ProducerConfiguration, now: Date = Date()) throws -> PlaybackLinks? {
        guard record.status == .completed, !record.outputs.isEmpty else { return nil }
        let expires = now.addingTimeInterval(TimeInterval(configuration.playbackTokenSeconds))
        let token = try PlaybackToken(videoID: record.id, expires: expires).signed(with: configuration.uploadSecret)
        let base = (configuration.publicURL ?? "") + "/v1/play/\(token)/"
        let prefix = VideoKeys.outputPrefix(record.id)
        var files: [String: String] = [:]
        for output in record.outputs where output.key.hasPrefix(prefix) && output.kind != "hls/segment" {
            files[output.key] = base + output.key.dropFirst(prefix.count)
        }
        let master = record.outputs.first { $0.key == prefix + "hls/master.m3u8" }.map { base + $0.key.dropFirst(prefix.count) }
        return PlaybackLinks(hls: master, files: files, expiresAt: Date(timeIntervalSince1970: TimeInterval(Int64(expires.timeIntervalSince1970))))
    }

    func play(_ request: Request, context: ProducerRequestContext) async throws -> Response {
        let notFound = APIError.notFound("playback")
        guard let text = context.parameters.get("token"), let token = PlaybackToken.verify(text, secret: configuration.uploadSecret),
            let record = try await store.video(id: token.videoID, owner: nil), record.status == .completed
        else { throw notFound }
        let prefix = VideoKeys.outputPrefix(record.id)
        let path = context.parameters.getCatchAll().joined(separator: "/")
        guard let output = record.outputs.first(where: { $0.key == prefix + path }) else { throw notFound }
        // Segments are fetched while the video plays: their URLs must outlast it (within the credentials' life).
        let lifetime = try await s3.presignLifetime(
            max(configuration.presignSeconds, Int((record.outputs.compactMap(\.duration).max() ?? 0).rounded(.up)) + 900))
        guard output.key.hasSuffix(".m3u8") else {
            let url = try await s3.presignedURL(.GET, bucket: record.sourceBucket, key: output.key, expires: lifetime)
            return Response(status: .found, headers: [.location: url, .cacheControl: "private, no-store", .accessControlAllowOrigin: "*"])
        }
        guard output.size <= Self.maximumPlaylistBytes else { throw notFound }
        let playlist = String(buffer: try await s3.getObject(bucket: record.sourceBucket, key: output.key).body)
        let keys = Set(record.outputs.map(\.key))
        let directory = output.key.split(separator: "/").dropLast().joined(separator: "/")
        var presigned: [String: String] = [:]
        for output in record.outputs where !output.key.hasSuffix(".m3u8") && output.key.hasPrefix(directory + "/") {
            presigned[output.key] = try await s3.presignedURL(.GET, bucket: record.sourceBucket, key: output.key, expires: lifetime)
        }
        let linked = try PlaybackToken(videoID: record.id, expires: Date().addingTimeInterval(TimeInterval(lifetime)))
            .signed(with: configuration.uploadSecret)
        let route = (configuration.publicURL ?? "") + "/v1/play/\(linked)/"
        let rewritten = PlaylistRewriter.rewrite(playlist) { uri in
            guard let key = Self.resolve(uri, against: directory), keys.contains(key) else { return nil }
            return key.hasSuffix(".m3u8") ? route + key.dropFirst(prefix.count) : presigned[key]
        }
        return Response(
            status: .ok, headers: [.contentType: Self.playlistType, .cacheControl: "private, no-store", .accessControlAllowOrigin: "*"],
            body: .init(byteBuffer: ByteBuffer(string: rewritten + "\n")))
    }

    /// The key a relative URI in a playlist under `directory` names; `nil` for absolute or root-relative URIs, queries,
    /// and paths that climb out of the bucket.
    static func resolve(_ uri: String, against directory: String) -> String? {
        guard !uri.isEmpty, !uri.hasPrefix("/"), !uri.contains(":"), !uri.contains("?"), !uri.contains("#") else { return nil }
        var parts = directory.split(separator: "/").map(String.init)
        for part in uri.split(separator: "/", omittingEmptySubsequences: false) {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            case "": return nil
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }
}

/// Where a finished video can be played or fetched without an API key until ``expiresAt``.
struct PlaybackLinks: Codable, Sendable, Equatable {
    /// The HLS master playlist (an `hls` job's output), for any HLS player.
    var hls: String?
    /// Every other output (MP4 renditions, thumbnails, playlists) by its key: a redirect to a presigned URL.
    var files: [String: String]
    var expiresAt: Date
}
