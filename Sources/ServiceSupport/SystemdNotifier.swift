import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The systemd notify protocol (`sd_notify`): datagrams such as `READY=1`, `WATCHDOG=1`, `STATUS=…` and
/// `STOPPING=1` sent to the socket named by `NOTIFY_SOCKET` (a path, or `@name` for an abstract socket).
/// Without `NOTIFY_SOCKET` every call does nothing, so services call it unconditionally.
public struct SystemdNotifier: Sendable {
    /// The socket path, when running under systemd with `Type=notify`.
    public let socketPath: String?
    /// The watchdog interval systemd expects pings within (`WATCHDOG_USEC`), if enabled.
    public let watchdogInterval: Duration?

    /// A notifier for the process's environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        watchdogInterval = environment["WATCHDOG_USEC"].flatMap(Int64.init).map { .microseconds($0) }
    }

    /// Whether notifications go anywhere.
    public var isEnabled: Bool { socketPath != nil }

    /// Start-up finished.
    public func ready(status: String? = nil) { send("READY=1" + (status.map { "\nSTATUS=\($0)" } ?? "")) }
    /// The service is alive (call from the loop that must keep running, not from a timer).
    public func watchdog() { send("WATCHDOG=1") }
    /// A one-line status for `systemctl status`.
    public func status(_ text: String) { send("STATUS=\(text)") }
    /// Shutdown began.
    public func stopping() { send("STOPPING=1") }

    /// Sends `message` without blocking; failures (a full socket queue included) are ignored, as `sd_notify`
    /// callers do.
    @discardableResult
    public func send(_ message: String) -> Bool {
        guard let socketPath else { return false }
        #if os(Linux)
            let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let descriptor = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.enumerated() { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        let sent = message.utf8CString.withUnsafeBufferPointer { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    // Never blocks: a datagram socket whose reader lags (its queue holds only a few datagrams)
                    // would otherwise stall the calling thread, a cooperative one included; a lost notification
                    // is replaced by the next.
                    sendto(descriptor, bytes.baseAddress, bytes.count - 1, Int32(MSG_DONTWAIT), socketAddress, length)
                }
            }
        }
        return sent >= 0
    }
}
