import Foundation

#if os(Linux)
    /// The section and program headers of a 64-bit little-endian ELF file (the running executable).
    struct ELFImage {
        struct Section {
            var name: String
            var address: UInt64
            var size: UInt64
        }

        var sections: [Section] = []
        /// The virtual address of the loadable segment that starts at file offset 0 (0 for a PIE).
        var firstSegmentAddress: UInt64 = 0
        /// The addresses the loader makes read-only after relocating them (`PT_GNU_RELRO`): written pages.
        var relocatedReadOnly: Range<UInt64>?

        init?(path: String) {
            guard let file = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? file.close() }
            func read(_ offset: UInt64, _ count: Int) -> [UInt8]? {
                guard count > 0, count <= 1 << 20, (try? file.seek(toOffset: offset)) != nil,
                    let data = try? file.read(upToCount: count), data.count == count
                else { return nil }
                return [UInt8](data)
            }
            guard let header = read(0, 64), header[0..<4] == [0x7f, 0x45, 0x4c, 0x46], header[4] == 2, header[5] == 1 else { return nil }
            let programOffset = Self.integer(header, 32, 8)
            let sectionOffset = Self.integer(header, 40, 8)
            let programSize = Int(Self.integer(header, 54, 2))
            let programCount = Int(Self.integer(header, 56, 2))
            let sectionSize = Int(Self.integer(header, 58, 2))
            let sectionCount = Int(Self.integer(header, 60, 2))
            let namesIndex = Int(Self.integer(header, 62, 2))
            guard programSize >= 56, sectionSize >= 64, namesIndex < sectionCount,
                let programs = read(programOffset, programSize * programCount),
                let table = read(sectionOffset, sectionSize * sectionCount)
            else { return nil }
            for index in 0..<programCount {
                let at = index * programSize
                let type = Self.integer(programs, at, 4)
                let address = Self.integer(programs, at + 16, 8)
                if type == 1, Self.integer(programs, at + 8, 8) == 0 {  // PT_LOAD at offset 0
                    firstSegmentAddress = address
                } else if type == 0x6474_e552 {  // PT_GNU_RELRO
                    relocatedReadOnly = address..<address + Self.integer(programs, at + 40, 8)
                }
            }
            let namesAt = namesIndex * sectionSize
            guard let names = read(Self.integer(table, namesAt + 24, 8), Int(Self.integer(table, namesAt + 32, 8))) else { return nil }
            for index in 0..<sectionCount {
                let at = index * sectionSize
                let nameOffset = Int(Self.integer(table, at, 4))
                guard nameOffset < names.count else { continue }
                let name = String(decoding: names[nameOffset...].prefix { $0 != 0 }, as: UTF8.self)
                sections.append(Section(name: name, address: Self.integer(table, at + 16, 8), size: Self.integer(table, at + 32, 8)))
            }
        }

        /// The little-endian integer of `count` bytes at `offset`.
        static func integer(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
            bytes[offset..<offset + count].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
#endif
