import AWSSigV4
import Testing

@Suite struct CRC32CTests {
    @Test func knownVectorsMatch() {
        var check = CRC32C()
        check.update(Array("123456789".utf8))
        #expect(check.value == 0xE306_9283)
        var zeros = CRC32C()
        zeros.update([UInt8](repeating: 0, count: 32))
        #expect(zeros.value == 0x8A91_36AA)  // RFC 3720 B.4
        var ones = CRC32C()
        ones.update([UInt8](repeating: 0xFF, count: 32))
        #expect(ones.value == 0x62A8_AB43)
        var ascending = CRC32C()
        ascending.update((0..<32).map { UInt8($0) })
        #expect(ascending.value == 0x46DD_794E)
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        var whole = CRC32C()
        whole.update(data)
        var pieces = CRC32C()
        var offset = 0
        for size in [1, 3, 8, 13, 100, 4_096] {
            let end = min(offset + size, data.count)
            pieces.update(data[offset..<end])
            offset = end
        }
        pieces.update(data[offset...])
        #expect(whole.value == pieces.value)
    }
}
