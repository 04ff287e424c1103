import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking TCP connection to 127.0.0.1 for tests that must send what no HTTP client sends (a body that never
/// ends, a request head sent a byte at a time, an idle connection) and see how the server answers.
public final class RawTCPClient: @unchecked Sendable {
    private let descriptor: Int32
    /// Everything read so far.
    public private(set) var received = Data()
    /// Bytes sent so far.
    public private(set) var sent = 0

    /// Connects to `127.0.0.1:port`; sends and reads give up after `timeout`.
    public init(port: Int, timeout: Duration = .seconds(5)) throws {
        #if canImport(Glibc)
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: .init(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(descriptor) }

    /// Sends `text`; false when the peer closed or reset the connection, or the send timed out.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Data(text.utf8)) }

    /// Sends `data`; false when the peer closed or reset the connection, or the send timed out.
    @discardableResult
    public func send(_ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                #if canImport(Glibc)
                    let count = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                #else
                    let count = Darwin.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, 0)
                #endif
                guard count > 0 else { return false }
                offset += count
                sent += count
            }
            return true
        }
    }

    /// Whether the server has answered something (reads what is there without waiting).
    public func hasAnswer() -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0
    }

    /// Reads until the peer closes the connection (true) or `timeout` passes without it (false).
    public func readUntilClosed(timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return true  // reset: closed too
            }
            received.append(contentsOf: buffer[0..<count])
        }
        return false
    }

    /// Reads what has arrived without waiting and returns all the text read so far.
    public func readAvailable() -> String {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return text
    }

    /// The status code of the first response read, if any.
    public var status: Int? {
        guard let line = String(decoding: received, as: UTF8.self).split(separator: "\r\n").first else { return nil }
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    /// The text read so far.
    public var text: String { String(decoding: received, as: UTF8.self) }
}
