import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One job's scratch directory, held with an exclusive `flock` on its `.lock` file for as long as the job runs.
/// A consumer that dies (SIGKILL, OOM, a power cut) leaves its directory behind but not its lock: the kernel
/// drops it. ``removeStale(in:)`` — run when a consumer starts — deletes every entry of the scratch root whose
/// lock it can take, so leftovers are cleaned while the jobs of other consumers sharing the root are untouched.
final class ScratchDirectory: Sendable {
    let url: URL
    private let descriptor: Int32

    /// Creates (or reuses) `url` and takes its lock.
    init(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let descriptor = open(url.appendingPathComponent(".lock").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw POSIXError(.EBUSY)
        }
        self.url = url
        self.descriptor = descriptor
    }

    /// Deletes the directory, then gives up the lock.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    deinit { close(descriptor) }

    /// Deletes the entries of `root` no running job holds; returns how many.
    @discardableResult
    static func removeStale(in root: URL) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)) ?? []
        var removed = 0
        for entry in entries {
            let lock = open(entry.appendingPathComponent(".lock").path, O_RDWR | O_CLOEXEC)
            if lock >= 0 {
                defer { close(lock) }
                guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { continue }  // a running job's
            }
            if (try? FileManager.default.removeItem(at: entry)) != nil { removed += 1 }
        }
        return removed
    }
}
