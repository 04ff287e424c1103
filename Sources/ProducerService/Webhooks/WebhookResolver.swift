import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves webhook hosts without ever blocking the cooperative pool: getaddrinfo blocks for as long as the system
/// resolver's own timeouts and retries take, so each lookup runs on a thread of its own and is awaited through a
/// continuation that the lookup, a timer (``timeout``) or the task's cancellation resumes, whichever is first. A
/// lookup given up on finishes on its thread later and its answer is dropped; at most ``maximumLookups`` threads
/// look up at once (past that a hanging resolver refuses more instead of piling up threads).
struct WebhookResolver: Sendable {
    /// A blocking lookup: the addresses of a host (IPv4 as 4 bytes, IPv6 as 16); empty when it has none.
    typealias Lookup = @Sendable (_ host: String, _ port: Int) -> [[UInt8]]

    /// How long a lookup may take before the host counts as unresolvable.
    let timeout: Duration
    /// The most lookups under way at once.
    let maximumLookups: Int
    private let lookup: Lookup
    private let running = Running()

    /// - Parameters:
    ///   - timeout: how long a lookup may take.
    ///   - maximumLookups: the most lookups (threads) under way at once.
    ///   - lookup: the blocking lookup (getaddrinfo unless a test gives another).
    init(timeout: Duration = .seconds(3), maximumLookups: Int = 32, lookup: @escaping Lookup = WebhookResolver.getaddrinfoLookup) {
        self.timeout = timeout
        self.maximumLookups = maximumLookups
        self.lookup = lookup
    }

    /// The system resolver, shared by the routes and the dispatcher (so the thread cap is the process's).
    static let system = WebhookResolver()

    /// The addresses of `host`, looked up off the pool; throws `resolutionTimedOut` after ``timeout``, `resolverBusy`
    /// when ``maximumLookups`` are under way, `cancelled` when the task is.
    func resolve(_ host: String, port: Int) async throws(WebhookTargetError) -> [[UInt8]] {
        guard running.enter(limit: maximumLookups) else {
            throw WebhookTargetError(code: .resolverBusy, message: "\(maximumLookups) host lookups are already under way; \(host) was not looked up")
        }
        let once = ResumeOnce<Result<[[UInt8]], WebhookTargetError>>()
        let (lookup, running, timeout) = (self.lookup, self.running, self.timeout)
        let thread = Thread {
            let addresses = lookup(host, port)
            running.leave()
            once.resume(.success(addresses))
        }
        thread.name = "webhook-dns"
        thread.start()
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            once.resume(.failure(WebhookTargetError(code: .resolutionTimedOut, message: "\(host) did not resolve within \(timeout)")))
        }
        defer { timer.cancel() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { once.wait($0) }
        } onCancel: {
            once.resume(.failure(WebhookTargetError(code: .cancelled, message: "the lookup of \(host) was cancelled")))
        }
        return try result.get()
    }

    /// getaddrinfo: the TCP addresses of `host` (at most 64, without repeats).
    static let getaddrinfoLookup: Lookup = { host, port in
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor, addresses.count < 64 {
            var address: [UInt8]?
            if let socketAddress = info.pointee.ai_addr {
                switch Int32(info.pointee.ai_family) {
                case AF_INET:
                    address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var value = pointer.pointee.sin_addr
                        return withUnsafeBytes(of: &value) { Array($0) }
                    }
                case AF_INET6:
                    address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var value = pointer.pointee.sin6_addr
                        return withUnsafeBytes(of: &value) { Array($0) }
                    }
                default: break
                }
            }
            if let address, !addresses.contains(address) { addresses.append(address) }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    /// How many lookups are under way.
    private final class Running: Sendable {
        private let count = Mutex(0)

        func enter(limit: Int) -> Bool {
            count.withLock { count in
                guard count < limit else { return false }
                count += 1
                return true
            }
        }

        func leave() { count.withLock { $0 -= 1 } }
    }
}

/// A continuation resumed by the first of several parties (a value that arrives before anyone waits is kept for
/// the waiter); later resumptions are ignored.
final class ResumeOnce<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        case early(Value)
        case done
    }

    private let state = Mutex(State.empty)

    /// Waits with `continuation`, or resumes it at once with a value that came first.
    func wait(_ continuation: CheckedContinuation<Value, Never>) {
        let early: Value? = state.withLock { state in
            switch state {
            case .empty:
                state = .waiting(continuation)
                return nil
            case .early(let value):
                state = .done
                return value
            case .waiting, .done:
                return nil
            }
        }
        if let early { continuation.resume(returning: early) }
    }

    /// Resumes the waiter with `value` unless someone did first.
    func resume(_ value: Value) {
        let waiter: CheckedContinuation<Value, Never>? = state.withLock { state in
            switch state {
            case .empty:
                state = .early(value)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .early, .done:
                return nil
            }
        }
        waiter?.resume(returning: value)
    }
}
