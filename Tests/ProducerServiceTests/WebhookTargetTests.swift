import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import ProducerService

/// A resolver answering from a script (one answer per lookup, the last repeating) and remembering what it was asked.
final class ScriptedLookups: Sendable {
    private let answers: Mutex<[[[UInt8]]]>
    private let asked = Mutex<[String]>([])

    init(_ answers: [[String]]) {
        self.answers = Mutex(answers.map { $0.compactMap { WebhookTarget.parseIPv4($0) ?? WebhookTarget.parseIPv6($0) } })
    }

    /// The hosts looked up, in order.
    var hosts: [String] { asked.withLock { $0 } }

    var resolver: WebhookResolver {
        WebhookResolver(timeout: .seconds(5)) { host, _ in
            let index = self.asked.withLock {
                $0.append(host)
                return $0.count - 1
            }
            return self.answers.withLock { $0.isEmpty ? [] : $0[min(index, $0.count - 1)] }
        }
    }
}

/// A lookup that never answers until released (a resolver that hangs), counting the lookups under way.
final class HangingLookups: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let started = Mutex(0)

    var count: Int { started.withLock { $0 } }

    func resolver(timeout: Duration, maximumLookups: Int = 32) -> WebhookResolver {
        WebhookResolver(timeout: timeout, maximumLookups: maximumLookups) { _, _ in
            self.started.withLock { $0 += 1 }
            self.gate.wait()
            return [[8, 8, 8, 8]]
        }
    }

    /// Lets `count` lookups (under way, or later) return.
    func release(_ count: Int) {
        for _ in 0..<count { gate.signal() }
    }
}

extension WebhookTests {
    /// Every special-purpose range, at and around its edges: the address itself, an IPv4 address embedded in an IPv6
    /// form, and public neighbours that must stay allowed.
    static let nonPublicAddresses = [
        // IPv4
        "0.0.0.0", "0.255.255.255", "10.0.0.0", "10.255.255.255", "100.64.0.0", "100.127.255.255", "127.0.0.1", "127.255.255.254",
        "169.254.0.0", "169.254.169.254", "169.254.255.255", "172.16.0.0", "172.31.255.255", "192.0.0.0", "192.0.0.255", "192.0.2.1",
        "192.88.99.1", "192.168.0.1", "192.168.255.255", "198.18.0.0", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1",
        "239.255.255.255", "240.0.0.1", "255.255.255.254", "255.255.255.255",
        // IPv6: unspecified, loopback, IPv4-compatible (also of a public address), IPv4-mapped (also of a public address)
        "::", "::1", "::127.0.0.1", "::8.8.8.8", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:8.8.8.8", "::ffff:0:0",
        "::ffff:ffff:ffff",
        // NAT64 (well-known and local-use), discard, 6to4, Teredo and the rest of 2001::/23, documentation
        "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::808:808", "64:ff9b:1::1", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
        "100::1", "100::ffff:ffff:ffff:ffff", "2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:808:808::1", "2002:ffff::1",
        "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "2001:2::1", "2001:1ff:ffff::1",
        "2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "3fff::1", "3fff:fff:ffff::1",
        // unique local, link-local, site-local, multicast, and anything outside global unicast 2000::/3
        "fc00::1", "fd12:3456::1", "fe80::1", "febf:ffff::1", "fec0::1", "feff::1", "ff02::1", "ff0e::1", "1fff:ffff::1", "4000::1",
        "64:ff9b:2::1",
    ]

    static let publicAddresses = [
        "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0",
        "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0", "192.88.98.255", "192.88.100.0",
        "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "198.51.99.255", "198.51.101.0", "203.0.112.255",
        "203.0.114.0", "223.255.255.255",
        "2606:4700:4700::1111", "2001:4860:4860::8888", "2001:200::1", "2001:db7:ffff::1", "2001:db9::1", "2003::1", "2000::1",
        "3fff:1000::1", "3ffe::1", "2a00:1450:4001::1",
    ]

    static func address(_ text: String) throws -> [UInt8] {
        try #require(WebhookTarget.parseIPv4(text) ?? WebhookTarget.parseIPv6(text), "\(text)")
    }

    @Test func everyNonPublicRangeIsRefusedAtItsEdgesAndItsPublicNeighboursAreNot() async throws {
        for text in Self.nonPublicAddresses {
            #expect(!WebhookTarget.isPublic(try Self.address(text)), "\(text)")
        }
        for text in Self.publicAddresses {
            #expect(WebhookTarget.isPublic(try Self.address(text)), "\(text)")
        }
        #expect(!WebhookTarget.isPublic([]) && !WebhookTarget.isPublic([8, 8, 8]) && !WebhookTarget.isPublic(Array(repeating: 0x26, count: 15)))
    }

    @Test func everyNonPublicAddressIsRefusedAsALiteralAndAsAnAnswer() async throws {
        for text in Self.nonPublicAddresses {
            let host = text.contains(":") ? "[\(text)]" : text
            // The literal is checked as it is: no lookup.
            let lookups = ScriptedLookups([["8.8.8.8"]])
            let error = await #expect(throws: WebhookTargetError.self) {
                _ = try await WebhookTarget.check("http://\(host):8080/x", allowPrivate: false, resolver: lookups.resolver)
            }
            #expect(error?.code == .notPublic, "\(text)")
            #expect(lookups.hosts.isEmpty, "\(text)")
            // A name answering it — alone, after a public address, or before one — is refused.
            for answer in [[text], ["8.8.8.8", text], [text, "2606:4700:4700::1111"]] {
                let answered = await #expect(throws: WebhookTargetError.self) {
                    _ = try await WebhookTarget.check("https://hooks.example.com/x", allowPrivate: false, resolver: ScriptedLookups([answer]).resolver)
                }
                #expect(answered?.code == .notPublic, "\(answer)")
            }
            // Unless private targets are allowed.
            _ = try await WebhookTarget.check("https://hooks.example.com/x", allowPrivate: true, resolver: ScriptedLookups([[text]]).resolver)
        }
        for text in Self.publicAddresses {
            let host = text.contains(":") ? "[\(text)]" : text
            let target = try await WebhookTarget.check("http://\(host)/x", allowPrivate: false, resolver: ScriptedLookups([]).resolver)
            #expect(target.addresses == [try Self.address(text)] && target.hostHeader == nil, "\(text)")
        }
    }

    @Test func numericHostsOtherThanADottedQuadAreRefusedWithoutALookup() async throws {
        // Decimal, octal, hex, short and padded forms of 127.0.0.1, 169.254.169.254, 10.0.0.1 and of public 8.8.8.8.
        let hosts = [
            "2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "127.0.1", "0x7f000001", "017700000001", "0x7F.1", "0x7f.0x0.0x0.0x1",
            "127.0.0.1.", "127.000.000.001", "0127.0.0.1", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518",
            "10.1", "012.0.0.1", "134744072", "0x08080808", "8.8.8.010", "1.2.3.04", "8.8.2056", "0", "0x", "00", "4294967295",
            "4294967296", "256.0.0.1", "1.2.3.4.5", "1.2.3", "a.b.0x10", "example.123", "example.0x1f",
        ]
        for host in hosts {
            for scheme in ["http", "https"] {
                let lookups = ScriptedLookups([["8.8.8.8"]])
                let error = await #expect(throws: WebhookTargetError.self) {
                    _ = try await WebhookTarget.check("\(scheme)://\(host):8080/hook", allowPrivate: true, resolver: lookups.resolver)
                }
                #expect(error?.code == .nonCanonicalAddress, "\(scheme)://\(host)")
                #expect(lookups.hosts.isEmpty, "\(host)")
            }
        }
        // Names that merely contain numbers are names (resolved, then checked).
        for host in ["1.2.3.4.example.com", "127.0.0.1.nip.io", "0x7f.example", "8.8.8.8x"] {
            let lookups = ScriptedLookups([["127.0.0.1"]])
            let error = await #expect(throws: WebhookTargetError.self) {
                _ = try await WebhookTarget.check("http://\(host)/hook", allowPrivate: false, resolver: lookups.resolver)
            }
            #expect(error?.code == .notPublic, "\(host)")
            #expect(lookups.hosts == [host.lowercased()])
        }
    }

    @Test func malformedAmbiguousAndCredentialedURLsAreRefused() async throws {
        let cases: [(String, WebhookTargetError.Code)] = [
            ("http://[fe80::1%25eth0]/x", .invalidURL), ("http://[1.2.3.4]/x", .invalidURL), ("http://[::1/x", .invalidURL),
            ("http://[::1]]/x", .invalidURL), ("http://[zz::1]/x", .invalidURL), ("http://exa mple.com/x", .invalidURL),
            ("http://ex%61mple.com/x", .invalidURL), ("http://%31%32%37.0.0.1/x", .invalidURL), ("http://host:0/x", .invalidURL),
            ("http://host:99999/x", .invalidURL), ("ftp://example.com/x", .invalidURL), ("file:///etc/passwd", .invalidURL),
            ("gopher://127.0.0.1:6379/_x", .invalidURL), ("javascript:alert(1)", .invalidURL), ("http:///x", .invalidURL),
            ("//example.com/x", .invalidURL), ("http://ex\u{e4}mple.com/x", .invalidURL), ("not a url", .invalidURL), ("", .invalidURL),
            ("https://" + String(repeating: "a", count: 3000) + ".com/", .invalidURL),
            ("http://user@example.com/x", .credentials), ("http://user:pw@8.8.8.8/x", .credentials),
            ("http://evil.com\\@127.0.0.1/x", .credentials), ("http://8.8.8.8@127.0.0.1/x", .credentials),
        ]
        for (url, code) in cases {
            let lookups = ScriptedLookups([["8.8.8.8"]])
            let error = await #expect(throws: WebhookTargetError.self) {
                _ = try await WebhookTarget.check(url, allowPrivate: true, resolver: lookups.resolver)
            }
            #expect(error?.code == code, "\(url.prefix(60))")
            #expect(lookups.hosts.isEmpty, "\(url.prefix(60))")
        }
        // A name without addresses.
        let error = await #expect(throws: WebhookTargetError.self) {
            _ = try await WebhookTarget.check("https://nothing.example/x", allowPrivate: true, resolver: ScriptedLookups([[]]).resolver)
        }
        #expect(error?.code == .unresolvable)
    }

    @Test func anHTTPTargetConnectsToTheCheckedAddressUnderItsOwnHostName() async throws {
        let v4 = try await WebhookTarget.check(
            "http://Hooks.Example.com:8080/a%20b/c?x=1&y=%2F#frag", allowPrivate: false,
            resolver: ScriptedLookups([["93.184.216.34", "2606:4700:4700::1111"]]).resolver)
        #expect(v4.connectURL == "http://93.184.216.34:8080/a%20b/c?x=1&y=%2F")
        #expect(v4.hostHeader == "Hooks.Example.com:8080")
        #expect(v4.addresses.count == 2)
        let v6 = try await WebhookTarget.check(
            "http://hooks.example.com:80/", allowPrivate: false,
            resolver: ScriptedLookups([["2606:4700:4700::1111"]]).resolver)
        #expect(v6.connectURL == "http://[2606:4700:4700::1111]/")
        #expect(v6.hostHeader == "hooks.example.com")
        // https keeps the name (the certificate is verified for it) but the answer is checked all the same.
        let secure = try await WebhookTarget.check(
            "https://hooks.example.com/x?y", allowPrivate: false,
            resolver: ScriptedLookups([["93.184.216.34"]]).resolver)
        #expect(secure.connectURL == "https://hooks.example.com/x?y" && secure.hostHeader == nil)
        let refused = await #expect(throws: WebhookTargetError.self) {
            _ = try await WebhookTarget.check(
                "https://hooks.example.com/x", allowPrivate: false,
                resolver: ScriptedLookups([["93.184.216.34", "10.0.0.7"]]).resolver)
        }
        #expect(refused?.code == .notPublic)
    }

    @Test func aRebindingNameIsLookedUpOncePerAttemptAndTheAttemptUsesThatAnswer() async throws {
        // Public to the first lookup, loopback to the next, then the metadata service hidden behind a public address.
        let lookups = ScriptedLookups([["93.184.216.34"], ["127.0.0.1"], ["93.184.216.34", "169.254.169.254"], ["8.8.4.4"]])
        try await Self.withDispatcher(allowPrivate: false, resolver: lookups.resolver) { dispatcher, _ in
            let first = try await dispatcher.request(url: "http://rebind.example:8080/hook", deliveryID: "msg_1", payload: "{}", secrets: [])
            #expect(first.url == "http://93.184.216.34:8080/hook", "the client is given the checked address, never the name to resolve again")
            #expect(first.headers["Host"] == ["rebind.example:8080"])
            #expect(lookups.hosts == ["rebind.example"])
            for expected in [2, 3] {
                let error = await #expect(throws: WebhookTargetError.self) {
                    _ = try await dispatcher.request(url: "http://rebind.example:8080/hook", deliveryID: "msg_1", payload: "{}", secrets: [])
                }
                #expect(error?.code == .notPublic)
                #expect(lookups.hosts.count == expected)
            }
            let last = try await dispatcher.request(url: "http://rebind.example:8080/hook", deliveryID: "msg_1", payload: "{}", secrets: [])
            #expect(last.url == "http://8.8.4.4:8080/hook" && lookups.hosts.count == 4)
        }
    }

    @Test func aResolverThatNeverAnswersTimesOutWithoutBlockingThePool() async throws {
        let hanging = HangingLookups()
        let lookups = max(8, 3 * ProcessInfo.processInfo.activeProcessorCount)
        let resolver = hanging.resolver(timeout: .milliseconds(500), maximumLookups: lookups)
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: WebhookTargetError.Code?.self) { group in
            for index in 0..<lookups {
                group.addTask {
                    do {
                        _ = try await WebhookTarget.check("https://hang\(index).example/x", allowPrivate: false, resolver: resolver)
                        return nil
                    } catch let error as WebhookTargetError {
                        return error.code
                    }
                }
            }
            // Every lookup is blocked on its own thread: the pool still runs other work at once.
            #expect(try await ProducerFixture.eventually(timeout: .seconds(2)) { hanging.count == lookups })
            let quick = await clock.measure {
                await withTaskGroup(of: Int.self) { others in
                    for value in 0..<(4 * lookups) { others.addTask { value } }
                    _ = await others.reduce(0, +)
                }
            }
            #expect(quick < .seconds(3), "the cooperative pool is not blocked by lookups")
            for try await code in group {
                #expect(code == .resolutionTimedOut)
            }
        }
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(5), "bounded by the resolver's 500 ms timeout, not the hang (\(elapsed))")
        // A hanging resolver does not pile up threads: past its cap a lookup is refused at once.
        let busy = await #expect(throws: WebhookTargetError.self) {
            _ = try await resolver.resolve("one-more.example", port: 443)
        }
        #expect(busy?.code == .resolverBusy)
        hanging.release(lookups + 10)
        // Once the lookups return, their places are free again.
        #expect(
            try await ProducerFixture.eventually(timeout: .seconds(5)) {
                (try? await resolver.resolve("again.example", port: 443)) == [[8, 8, 8, 8]]
            })
    }

    @Test func aCancelledLookupReturnsAtOnce() async throws {
        let hanging = HangingLookups()
        let resolver = hanging.resolver(timeout: .seconds(30))
        let task = Task { try await resolver.resolve("slow.example", port: 443) }
        #expect(try await ProducerFixture.eventually { hanging.count == 1 })
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        let error = await #expect(throws: WebhookTargetError.self) { try await task.value }
        #expect(error?.code == .cancelled)
        #expect(clock.now - start < .seconds(5), "not the 30 s timeout")
        hanging.release(1)
    }

    @Test func theSystemResolverAnswersLocalhostWithLoopbackWhichIsRefused() async throws {
        let addresses = try await WebhookResolver.system.resolve("localhost", port: 80)
        let loopback = try Self.address("::1")
        #expect(addresses.contains([127, 0, 0, 1]) || addresses.contains(loopback))
        let error = await #expect(throws: WebhookTargetError.self) {
            _ = try await WebhookTarget.check("http://localhost:8080/x", allowPrivate: false, resolver: .system)
        }
        #expect(error?.code == .notPublic)
        let unknown = await #expect(throws: WebhookTargetError.self) {
            _ = try await WebhookTarget.check("https://no-such-host.invalid/x", allowPrivate: true, resolver: .system)
        }
        #expect(unknown?.code == .unresolvable || unknown?.code == .resolutionTimedOut)
    }
}
