import Foundation
import Hummingbird
import VideoCore

/// A video as the API shows it: the record, where to follow it, and (when asked for) where to fetch it.
///
/// HLS segments are counted, not listed (``hlsSegments``): the playlists name them, and a long video at short segments
/// has tens of thousands — listing and presigning each would make one answer megabytes (and the list of videos
/// gigabytes). They are played through the playback links.
struct VideoResponse: Codable, Sendable, ResponseEncodable {
    /// The record, its outputs without the HLS segments.
    var video: VideoRecord
    /// How many HLS segments the video's playlists name (absent: none).
    var hlsSegments: Int?
    /// `GET` this for the current state.
    var statusURL: String
    /// `GET` this for live progress (Server-Sent Events).
    var eventsURL: String
    /// Queued videos ahead of this one (while it waits).
    var queuePosition: Int?
    /// The expected wait before processing starts, from recent processing times (while it waits).
    var estimatedWaitSeconds: Double?
    /// Presigned download URLs by output key (and `source`).
    var downloads: [String: String]?
    /// Links that play or fetch a completed video's outputs without an API key (HLS from a private bucket).
    var playback: PlaybackLinks?
    /// When the video is deleted with its files (retention), once it has finished; absent: kept for ever.
    var expiresAt: Date?
}

/// A page of videos (their outputs without HLS segments, as in ``VideoResponse``).
struct VideoListResponse: Codable, Sendable, ResponseEncodable {
    var videos: [VideoRecord]
    /// Pass as `cursor` for the next page; absent on the last.
    var nextCursor: String?
}

extension VideoRecord {
    /// The kind of an output the API counts instead of listing.
    static let segmentKind = "hls/segment"

    /// The record as the API shows it: its outputs without the HLS segments, and how many there were.
    var withoutSegments: (record: VideoRecord, segments: Int) {
        var shown = self
        shown.outputs = outputs.filter { $0.kind != Self.segmentKind }
        return (shown, outputs.count - shown.outputs.count)
    }
}

extension ResponseEncodable {
    /// The value as JSON with `status`.
    func response(status: HTTPResponse.Status) throws -> Response {
        Response.json(try jsonData(), status: status)
    }

    /// The value as the API's JSON: ISO 8601 dates, sorted keys.
    func jsonData() throws -> Data {
        try VideoTimestamp.jsonEncoder().encode(self)
    }
}

extension Response {
    /// `data` (JSON) with `status`.
    static func json(_ data: some Sequence<UInt8>, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
