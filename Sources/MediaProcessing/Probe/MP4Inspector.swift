import Foundation

/// Reads the duration and the video dimensions of an MP4 file that FFmpeg wrote, from its box structure,
/// without starting ffprobe (whose start-up alone costs about 60 ms, most of an output check).
///
/// It reads only box headers and three small boxes (`mvhd`, `tkhd`, `hdlr`), and checks the structure on
/// the way: the top-level boxes must chain exactly to the end of the file and include `moov` and `mdat`,
/// so a truncated or damaged output is refused. It is meant for our own outputs; inputs are always probed
/// by ffprobe, which checks far more.
public struct MP4Inspector: Sendable {
    /// What the inspector found.
    public struct Summary: Sendable, Equatable {
        /// The movie's duration in seconds (`mvhd`).
        public var duration: Double
        /// The first video track's width in pixels (`tkhd`), if the file has a video track.
        public var width: Int?
        /// The first video track's height in pixels.
        public var height: Int?
        /// Whether the file has an audio track.
        public var hasAudio: Bool
    }

    /// The largest box payload read into memory (`mvhd`, `tkhd` and `hdlr` are about 100 bytes).
    static let maximumSmallBox = 4096
    /// How deep container boxes may nest before the file is refused.
    static let maximumDepth = 8
    /// How many boxes are read before the file is refused (a hostile file cannot make it loop for long).
    static let maximumBoxes = 10_000

    public init() {}

    /// The summary of the MP4 file at `url`, or `nil` when it is not a complete, well-formed MP4 with a
    /// movie header (the caller then falls back to ffprobe or refuses the file).
    public func inspect(_ url: URL) -> Summary? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 16 else { return nil }
        var reader = BoxReader(handle: handle, fileSize: size)
        return reader.summary()
    }

    /// Walks the boxes of one file.
    private struct BoxReader {
        let handle: FileHandle
        let fileSize: UInt64
        var boxesRead = 0
        var duration: Double?
        var sawMovie = false
        var sawMediaData = false
        var tracks: [(handler: String?, width: Int?, height: Int?)] = []

        init(handle: FileHandle, fileSize: UInt64) {
            self.handle = handle
            self.fileSize = fileSize
        }

        mutating func summary() -> Summary? {
            guard walk(from: 0, to: fileSize, depth: 0), sawMovie, sawMediaData, let duration else { return nil }
            let video = tracks.first { $0.handler == "vide" }
            return Summary(
                duration: duration, width: video?.width, height: video?.height,
                hasAudio: tracks.contains { $0.handler == "soun" })
        }

        /// Reads the boxes in `start..<end`; false when they do not chain exactly to `end`.
        mutating func walk(from start: UInt64, to end: UInt64, depth: Int) -> Bool {
            guard depth <= MP4Inspector.maximumDepth else { return false }
            var offset = start
            while offset < end {
                boxesRead += 1
                guard boxesRead <= MP4Inspector.maximumBoxes, end - offset >= 8, let header = read(at: offset, count: 8) else { return false }
                let type = String(decoding: header[4..<8], as: UTF8.self)
                var size = UInt64(Self.uint32(header, 0))
                var headerSize: UInt64 = 8
                if size == 1 {
                    guard end - offset >= 16, let large = read(at: offset + 8, count: 8) else { return false }
                    size = Self.uint64(large, 0)
                    headerSize = 16
                } else if size == 0 {
                    size = end - offset  // "extends to the end of the enclosing box"
                }
                guard size >= headerSize, size <= end - offset else { return false }
                let payload = offset + headerSize
                let payloadEnd = offset + size
                switch type {
                case "moov":
                    guard depth == 0 else { return false }
                    sawMovie = true
                    guard walk(from: payload, to: payloadEnd, depth: depth + 1) else { return false }
                case "trak":
                    tracks.append((nil, nil, nil))
                    guard walk(from: payload, to: payloadEnd, depth: depth + 1) else { return false }
                case "mdia":
                    guard walk(from: payload, to: payloadEnd, depth: depth + 1) else { return false }
                case "mdat":
                    sawMediaData = sawMediaData || depth == 0
                case "mvhd":
                    guard let body = smallBox(payload, payloadEnd), readMovieHeader(body) else { return false }
                case "tkhd":
                    guard let body = smallBox(payload, payloadEnd), readTrackHeader(body) else { return false }
                case "hdlr":
                    guard let body = smallBox(payload, payloadEnd), body.count >= 12, !tracks.isEmpty else { return false }
                    tracks[tracks.count - 1].handler = String(decoding: body[8..<12], as: UTF8.self)
                default:
                    break
                }
                offset = payloadEnd
            }
            return offset == end
        }

        /// `mvhd`: version/flags, then (v0) 32-bit or (v1) 64-bit times, timescale and duration.
        mutating func readMovieHeader(_ body: [UInt8]) -> Bool {
            guard let version = body.first else { return false }
            let timescale: UInt32
            let units: UInt64
            if version == 1 {
                guard body.count >= 32 else { return false }
                timescale = Self.uint32(body, 20)
                units = Self.uint64(body, 24)
            } else {
                guard body.count >= 20 else { return false }
                timescale = Self.uint32(body, 12)
                units = UInt64(Self.uint32(body, 16))
            }
            guard timescale > 0 else { return false }
            duration = Double(units) / Double(timescale)
            return true
        }

        /// `tkhd`: the track's width and height are the last two 16.16 fixed-point fields.
        mutating func readTrackHeader(_ body: [UInt8]) -> Bool {
            guard !tracks.isEmpty, let version = body.first else { return false }
            let expected = version == 1 ? 96 : 84  // …, matrix (36 bytes), width, height
            guard body.count >= expected else { return false }
            let width = Int(Self.uint32(body, expected - 8) >> 16)
            let height = Int(Self.uint32(body, expected - 4) >> 16)
            tracks[tracks.count - 1].width = width
            tracks[tracks.count - 1].height = height
            return true
        }

        func smallBox(_ start: UInt64, _ end: UInt64) -> [UInt8]? {
            guard end - start <= UInt64(MP4Inspector.maximumSmallBox) else { return nil }
            return read(at: start, count: Int(end - start))
        }

        func read(at offset: UInt64, count: Int) -> [UInt8]? {
            guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.read(upToCount: count), data.count == count else {
                return nil
            }
            return [UInt8](data)
        }

        static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
            bytes[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }

        static func uint64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
            bytes[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}
