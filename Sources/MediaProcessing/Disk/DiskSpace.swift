import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Free disk space, from `statvfs`.
public enum DiskSpace {
    /// The bytes available to an unprivileged user on the file system holding `url`.
    /// - Throws: `MediaError.Code.outputFailed` when `statvfs` fails (e.g. the path does not exist).
    public static func available(at url: URL) throws(MediaError) -> Int64 {
        var stats = statvfs()
        guard statvfs(url.path, &stats) == 0 else {
            let reason = String(cString: strerror(errno))
            throw MediaError(code: .outputFailed, message: "cannot read the free space of \(url.path): \(reason)")
        }
        let blocks = Int64(clamping: UInt64(stats.f_bavail))
        let size = Int64(clamping: UInt64(stats.f_frsize))
        return blocks.multipliedReportingOverflow(by: size).overflow ? .max : blocks * size
    }

    /// Throws unless at least `required` bytes are free at `url`.
    /// - Throws: `MediaError.Code.insufficientDiskSpace` (not permanent: another machine or later may do).
    public static func ensureAvailable(at url: URL, required: Int64) throws(MediaError) {
        let available = try available(at: url)
        if available < required {
            throw MediaError(
                code: .insufficientDiskSpace,
                message: "\(required) bytes are needed at \(url.path), \(available) are free")
        }
    }

    /// Throws unless `factor` × `inputSize` + `margin` bytes are free at `url`.
    public static func ensureAvailable(at url: URL, inputSize: Int64, factor: Double, margin: Int64 = 64 << 20) throws(MediaError) {
        let scaled = Double(max(0, inputSize)) * max(0, factor)
        let required = scaled >= Double(Int64.max - margin) ? Int64.max : Int64(scaled) + margin
        try ensureAvailable(at: url, required: required)
    }
}
