import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file every consumer of a machine holds a shared `flock` on while it runs. The one that stops last can take it
/// exclusively — how it knows it is the last (it alone completes the Auto Scaling lifecycle hook). The kernel drops
/// a killed consumer's share.
final class MachineConsumersLock: Sendable {
    let path: String
    private let descriptor: Mutex<Int32>

    /// Opens (creating) `path` and takes a shared lock, waiting while a stopping consumer holds it exclusively.
    init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(fd, LOCK_SH) == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            close(fd)
            throw error
        }
        self.path = path
        descriptor = Mutex(fd)
    }

    /// Gives up this consumer's share; then, when no other consumer holds one, runs `body` holding the lock
    /// exclusively and returns `true`. Call it once, when the consumer stops.
    func releaseAndRunIfLast(_ body: () async -> Void) async -> Bool {
        let fd = descriptor.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        guard fd >= 0 else { return false }
        // Upgrading in place (LOCK_EX on the same descriptor) converts the share: the others see it released.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return false
        }
        defer { close(fd) }
        await body()
        return true
    }

    deinit {
        let fd = descriptor.withLock { $0 }
        if fd >= 0 { close(fd) }
    }
}
