import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local file read or written at explicit offsets (`pread`/`pwrite`), so several parts of one file can
/// stream at once without sharing a file position. Closed when the last reference goes.
final class LocalFile: Sendable {
    let descriptor: Int32
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Opens `path` for reading.
    static func openForReading(_ path: String) throws(S3Error) -> LocalFile {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw fileError("cannot open", path) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw S3Error(code: .fileError, message: "'\(path)' is not a regular file")
        }
        return LocalFile(descriptor: descriptor, path: path)
    }

    /// Creates (or truncates) `path` for writing.
    static func create(_ path: String) throws(S3Error) -> LocalFile {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw fileError("cannot create", path) }
        return LocalFile(descriptor: descriptor, path: path)
    }

    deinit { close(descriptor) }

    /// The file's current size.
    func size() throws(S3Error) -> Int64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.fileError("cannot stat", path) }
        return Int64(status.st_size)
    }

    /// Reads exactly `count` bytes at `offset` (fewer only at the end of the file).
    func read(at offset: Int64, count: Int) throws(S3Error) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var total = 0
        var failure: S3Error?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
            guard let base = pointer.baseAddress else { return 0 }  // nothing to read into (count 0)
            while total < count {
                let result = pread(descriptor, base + total, count - total, off_t(offset) + off_t(total))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = Self.fileError("cannot read", path)
                    break
                }
                if result == 0 { break }
                total += result
            }
            return total
        }
        if let failure { throw failure }
        return buffer
    }

    /// Writes all of `buffer` at `offset`.
    func write(_ buffer: ByteBuffer, at offset: Int64) throws(S3Error) {
        var failure: S3Error?
        buffer.withUnsafeReadableBytes { pointer in
            guard let base = pointer.baseAddress else { return }  // an empty buffer
            var done = 0
            while done < pointer.count {
                let result = pwrite(descriptor, base + done, pointer.count - done, off_t(offset) + off_t(done))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = Self.fileError("cannot write", path)
                    return
                }
                done += result
            }
        }
        if let failure { throw failure }
    }

    private static func fileError(_ what: String, _ path: String) -> S3Error {
        S3Error(code: .fileError, message: "\(what) '\(path)': \(String(cString: strerror(errno)))")
    }
}
