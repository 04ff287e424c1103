import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Media files that lie, made from FFmpeg's test sources and edited at the box level.
enum HostileMedia {
    /// The boxes directly inside `range` of `data`: (offset, size, type).
    static func boxes(_ data: Data, in range: Range<Int>) -> [(offset: Int, size: Int, type: String)] {
        var result: [(Int, Int, String)] = []
        var offset = range.lowerBound
        while offset + 8 <= range.upperBound {
            let size = Int(data[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) })
            let type = String(decoding: data[offset + 4..<offset + 8], as: UTF8.self)
            guard size >= 8, offset + size <= range.upperBound else { break }
            result.append((offset, size, type))
            offset += size
        }
        return result
    }

    static func readUInt32(_ data: Data, at offset: Int) -> UInt32 {
        data[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func writeUInt32(_ value: UInt32, into data: inout Data, at offset: Int) {
        for index in 0..<4 { data[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
    }

    /// Moves `udta` (where the cover art lives) to the front of `moov`, so that FFmpeg's demuxer makes the cover
    /// stream #0 (the moov keeps its size: no offset changes).
    static func coverFirst(_ data: Data) -> Data {
        var data = data
        guard let moov = boxes(data, in: 0..<data.count).first(where: { $0.type == "moov" }) else { return data }
        let children = boxes(data, in: moov.offset + 8..<moov.offset + moov.size)
        let ordered = children.filter { $0.type == "udta" } + children.filter { $0.type != "udta" }
        let bytes = ordered.reduce(into: Data()) { $0 += data[$1.offset..<$1.offset + $1.size] }
        data.replaceSubrange(moov.offset + 8..<moov.offset + 8 + bytes.count, with: bytes)
        return data
    }

    /// Rewrites the durations of `mvhd`, every `tkhd` and every `mdhd` (version 0 boxes) to `seconds`.
    static func declaringDuration(_ data: Data, seconds: UInt32) -> Data {
        var data = data
        guard let moov = boxes(data, in: 0..<data.count).first(where: { $0.type == "moov" }) else { return data }
        var movieTimescale: UInt32 = 1000
        func walk(_ range: Range<Int>) {
            for box in boxes(data, in: range) {
                switch box.type {
                case "trak", "mdia": walk(box.offset + 8..<box.offset + box.size)
                case "mvhd":
                    movieTimescale = readUInt32(data, at: box.offset + 20)
                    writeUInt32(movieTimescale * seconds, into: &data, at: box.offset + 24)
                case "tkhd": writeUInt32(movieTimescale * seconds, into: &data, at: box.offset + 28)
                case "mdhd": writeUInt32(readUInt32(data, at: box.offset + 20) * seconds, into: &data, at: box.offset + 24)
                default: break
                }
            }
        }
        walk(moov.offset + 8..<moov.offset + moov.size)
        return data
    }
}

/// A TCP listener on 127.0.0.1 that counts the connections it accepts.
final class CountingListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard descriptor >= 0, bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    /// Whether a connection is waiting to be accepted (after waiting up to `milliseconds`).
    func hasConnection(waitingMilliseconds milliseconds: Int32) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, milliseconds) > 0
    }
}
