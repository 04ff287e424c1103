import Foundation

/// The part of `ffprobe -print_format json -show_format -show_streams` that is read.
struct FFprobeOutput: Decodable {
    struct Format: Decodable {
        var format_name: String?
        var duration: String?
        var start_time: String?
        var size: String?
        var bit_rate: String?
    }

    struct Stream: Decodable {
        struct Disposition: Decodable {
            var attached_pic: Int?
        }
        struct SideData: Decodable {
            var rotation: Double?
        }

        var index: Int?
        var codec_type: String?
        var codec_name: String?
        var width: Int?
        var height: Int?
        var avg_frame_rate: String?
        var r_frame_rate: String?
        var pix_fmt: String?
        var channels: Int?
        var sample_rate: String?
        var duration: String?
        var bit_rate: String?
        var disposition: Disposition?
        var tags: [String: String]?
        var side_data_list: [SideData]?
    }

    var format: Format?
    var streams: [Stream]?

    /// Converts to the public model.
    func mediaInfo() -> MediaInfo {
        let streams = (streams ?? []).enumerated().map { offset, stream in
            MediaStreamInfo(
                index: stream.index ?? offset,
                type: MediaStreamInfo.StreamType(rawValue: stream.codec_type ?? "") ?? .unknown,
                codec: stream.codec_name,
                width: stream.width,
                height: stream.height,
                frameRate: Self.rate(stream.avg_frame_rate) ?? Self.rate(stream.r_frame_rate),
                pixelFormat: stream.pix_fmt,
                channels: stream.channels,
                sampleRate: stream.sample_rate.flatMap { Int($0) },
                duration: Self.number(stream.duration),
                bitRate: stream.bit_rate.flatMap { Int64($0) },
                rotation: Self.rotation(stream),
                isAttachedPicture: stream.disposition?.attached_pic == 1)
        }
        // The longest duration anything declares: a file may declare a short container and long streams (or the
        // reverse); the limits must see the longest claim. Attached pictures carry no playing time.
        let declared =
            [Self.number(format?.duration)]
            + streams.filter { !$0.isAttachedPicture && ($0.type == .video || $0.type == .audio) }
            .map(\.duration)
        let duration = declared.compactMap { $0 }.filter { $0 > 0 }.max() ?? Self.number(format?.duration)
        return MediaInfo(
            formatName: format?.format_name ?? "",
            duration: duration,
            size: format?.size.flatMap { Int64($0) },
            bitRate: format?.bit_rate.flatMap { Int64($0) },
            streams: streams, startTime: Self.number(format?.start_time))
    }

    /// `"30000/1001"` → 29.97; `"0/0"` → nil.
    static func rate(_ text: String?) -> Double? {
        guard let text else { return nil }
        let parts = text.split(separator: "/")
        if parts.count == 2, let numerator = Double(parts[0]), let denominator = Double(parts[1]), denominator > 0, numerator > 0 {
            return numerator / denominator
        }
        return parts.count == 1 ? Double(text).flatMap { $0 > 0 ? $0 : nil } : nil
    }

    static func number(_ text: String?) -> Double? {
        guard let value = text.flatMap({ Double($0) }), value.isFinite else { return nil }
        return value
    }

    static func rotation(_ stream: Stream) -> Int {
        let degrees = stream.side_data_list?.compactMap(\.rotation).first ?? stream.tags?["rotate"].flatMap { Double($0) } ?? 0
        guard degrees.isFinite else { return 0 }
        let normalized = (Int(degrees.rounded()) % 360 + 360) % 360
        return (normalized / 90) * 90
    }
}
