import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts a child with `posix_spawn`: stdin from `/dev/null`, stdout and stderr into the given pipes,
/// no other descriptor inherited, every signal unblocked and the usual ones at their default disposition
/// (a child spawned from a Dispatch worker thread would otherwise inherit a mask blocking SIGTERM, and
/// ignore our stop request), in a process group of its own.
enum Spawner {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    /// A pipe whose two ends are close-on-exec from their creation (`pipe2`): with `pipe` then `fcntl`, a process
    /// another thread starts in between inherits them, and a long-lived one (another job's FFmpeg) would hold the
    /// write end open, so this child's output never reaches end-of-file while it lives.
    static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 = Self.pipe2 {
            guard pipe2(&fds, Int32(O_CLOEXEC)) == 0 else { throw Failure(operation: "pipe2", code: errno) }
        } else {
            guard pipe(&fds) == 0 else { throw Failure(operation: "pipe", code: errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }

    /// Spawns `executable` with `arguments` from the ``SpawnThread`` (so that `--die-with-parent` means the process);
    /// returns its pid.
    static func spawn(executable: String, arguments: [String], workingDirectory: String?, stdout: Int32, stderr: Int32) throws -> pid_t {
        try SpawnThread.shared.perform {
            try spawnHere(executable: executable, arguments: arguments, workingDirectory: workingDirectory, stdout: stdout, stderr: stderr)
        }
    }

    /// Spawns on the calling thread.
    private static func spawnHere(
        executable: String, arguments: [String], workingDirectory: String?, stdout: Int32, stderr: Int32
    ) throws -> pid_t {
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard devNull >= 0 else { throw Failure(operation: "open /dev/null", code: errno) }
        defer { close(devNull) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, devNull, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Descriptors opened by other code without close-on-exec stay out of the child too.
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
        if let workingDirectory {
            guard let addChdir = Self.addChdir else { throw Failure(operation: "posix_spawn_file_actions_addchdir_np", code: ENOSYS) }
            let result = workingDirectory.withCString { addChdir(&actions, $0) }
            guard result == 0 else { throw Failure(operation: "chdir action", code: result) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return EINVAL }
            return posix_spawn(&pid, executable, &actions, &attributes, base, environ)
        }
        guard result == 0 else { throw Failure(operation: "posix_spawn \(executable)", code: result) }
        return pid
    }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    /// glibc's `pipe2`, not visible to Swift without `_GNU_SOURCE`.
    private static let pipe2: Pipe2? = symbol("pipe2")
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), not visible to Swift without `_GNU_SOURCE`.
    private static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+).
    private static let closeFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T? {
        guard let pointer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }
}
