import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension MemoryTuning {
    /// The executable's sections that only the dynamic loader reads: its relocation tables, which it applies
    /// once at start-up, and the dynamic symbol tables it searches to bind symbols (all of them at start-up when
    /// linked with `-z now`; later only for `dlsym`/`dladdr`).
    static let loaderSections: Set<String> = [
        ".rela.dyn", ".rela.plt", ".rel.dyn", ".rel.plt", ".relr.dyn",
        ".dynsym", ".dynstr", ".gnu.hash", ".hash", ".gnu.version", ".gnu.version_r",
    ]

    /// Gives back the resident pages of the executable's loader tables once start-up is over, and returns how
    /// many bytes of address space it advised away (0 when there is nothing to do or off Linux).
    ///
    /// A binary with the Swift runtime and Foundation linked in statically carries about 5 MiB of these (its
    /// relocation table alone is 3.3 MiB: every pointer in Swift's metadata is a relative relocation in a
    /// position-independent executable). The loader reads them all before `main` and never again, yet they stay
    /// in the resident set of every consumer on a host. `madvise(MADV_DONTNEED)` drops them: they are read-only
    /// pages of the file, so a later read (a `dlsym`, a backtrace) simply faults them in again from the page
    /// cache. Only whole pages inside read-only, never-relocated mappings of the executable are touched.
    @discardableResult
    public static func releaseLoaderTables() -> Int {
        #if os(Linux)
            guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
                let image = ELFImage(path: executable),
                let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
            else { return 0 }
            let mappings = ExecutableMappings(maps: maps, path: executable)
            guard let base = mappings.loadBase(firstSegmentAddress: image.firstSegmentAddress) else { return 0 }
            let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
            var released = 0
            for section in image.sections where loaderSections.contains(section.name) && section.size > 0 {
                // Whole pages only: a page shared with a neighbouring section stays.
                let start = (base + section.address + pageSize - 1) / pageSize * pageSize
                let end = (base + section.address + section.size) / pageSize * pageSize
                let relro = image.relocatedReadOnly.map { base + $0.lowerBound..<base + $0.upperBound }
                guard end > start, mappings.isReadOnly(start..<end), !(relro?.overlaps(start..<end) ?? false),
                    let pointer = UnsafeMutableRawPointer(bitPattern: UInt(start))
                else { continue }
                if madvise(pointer, Int(end - start), MADV_DONTNEED) == 0 { released += Int(end - start) }
            }
            return released
        #else
            return 0
        #endif
    }
}
