import Foundation
import Testing

@testable import ServiceSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `MemoryTuning.releaseLoaderTables()` drops the resident pages of the executable's loader tables, and the
/// process goes on working: a symbol lookup afterwards faults the tables back in from the file.
@Suite struct LoaderTablesTests {
    #if os(Linux)
        @Test func theRunningExecutableIsReadAsELF() throws {
            let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let image = try #require(ELFImage(path: executable))
            let names = Set(image.sections.map(\.name))
            #expect(names.contains(".text"))
            #expect(names.contains(".dynsym"))
            #expect(!names.isDisjoint(with: MemoryTuning.loaderSections))
            let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
            let mappings = ExecutableMappings(maps: maps, path: executable)
            let base = try #require(mappings.loadBase(firstSegmentAddress: image.firstSegmentAddress))
            // The text section lies in a mapping of the executable, at base + its address.
            let text = try #require(image.sections.first { $0.name == ".text" })
            #expect(mappings.mappings.contains { $0.range.contains(base + text.address) && !$0.writable })
        }

        @Test func loaderTablesAreReleasedAndTheProcessKeepsWorking() throws {
            let released = MemoryTuning.releaseLoaderTables()
            #expect(released > 0)
            #expect(released % Int(sysconf(Int32(_SC_PAGESIZE))) == 0)
            // The dynamic symbol tables are read again, from the file.
            #expect(dlsym(nil, "mallopt") != nil)
            #expect(dlsym(nil, "no_such_symbol_in_this_process") == nil)
            // And again: nothing breaks when there is nothing left to release.
            _ = MemoryTuning.releaseLoaderTables()
            #expect(dlsym(nil, "madvise") != nil)
        }

        @Test func malformedFilesAreNotELFImages() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("elf-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var header = [UInt8](repeating: 0, count: 64)
            header[0...5] = [0x7f, 0x45, 0x4c, 0x46, 2, 1]
            header[40...47] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]  // section headers far past the end
            header[58] = 64
            header[60] = 3
            let cases: [String: [UInt8]] = [
                "empty": [], "text": Array("#!/bin/sh\necho hi\n".utf8), "32-bit": [0x7f, 0x45, 0x4c, 0x46, 1, 1] + [UInt8](repeating: 0, count: 58),
                "truncated-tables": header,
            ]
            for (name, bytes) in cases {
                let path = directory.appendingPathComponent(name).path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                #expect(ELFImage(path: path) == nil, "\(name)")
            }
            #expect(ELFImage(path: directory.appendingPathComponent("missing").path) == nil)
        }
    #endif
}
