import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a pipe on a thread of its own until end-of-file (`FileHandle.bytes` does not exist on Linux,
/// and a blocking `read` must not occupy a cooperative thread).
enum PipeReader {
    /// Starts reading `handle`; `onChunk` gets each chunk, `done` opens at end-of-file or on error.
    static func start(handle: FileHandle, done: Latch, onChunk: @escaping @Sendable (Data) -> Void) {
        let box = HandleBox(handle: handle)
        let thread = Thread {
            let descriptor = box.handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    onChunk(Data(buffer[0..<count]))
                } else if count == 0 {
                    break
                } else if errno != EINTR {
                    break
                }
            }
            done.open()
            // `box` keeps the handle (and so the descriptor) alive until here.
            withExtendedLifetime(box) {}
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }
}

/// Carries a `FileHandle` to the reader thread; only that thread uses it afterwards.
private final class HandleBox: @unchecked Sendable {
    let handle: FileHandle
    init(handle: FileHandle) { self.handle = handle }
}
