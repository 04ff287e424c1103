import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a pipe on a thread of its own until end-of-file (`FileHandle.bytes` does not exist on Linux,
/// and a blocking `read` must not occupy a cooperative thread), then closes it.
enum PipeReader {
    /// Starts reading `descriptor` (which the reader then owns); `onChunk` gets each chunk, `done` opens
    /// at end-of-file or on error.
    static func start(descriptor: Int32, done: Latch, onChunk: @escaping @Sendable (Data) -> Void) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    onChunk(Data(buffer[0..<count]))
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(descriptor)
            done.open()
        }
        thread.stackSize = 512 * 1024
        thread.start()
    }
}
