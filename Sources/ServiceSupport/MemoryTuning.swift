#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide allocator settings for services that move large buffers (8 MiB upload parts).
///
/// glibc raises its mmap threshold dynamically: once a large block allocated with `mmap` is freed, blocks of
/// that size come from the heap arenas afterwards, where freed parts fragment and keep the resident size high
/// (measured: 149 MiB peak for a 1 GiB upload through the producer). A fixed 1 MiB threshold keeps every
/// transfer buffer in its own mapping, returned to the system when freed (110 MiB for the same upload).
public enum MemoryTuning {
    /// Applies the settings (call once, first thing in `main`: the dynamic loader's work is over by then, so this
    /// also gives back its tables' pages, see ``releaseLoaderTables()``); does nothing off glibc.
    public static func apply() {
        defer { releaseLoaderTables() }
        #if canImport(Glibc)
            // malloc.h is not part of Swift's Glibc module: look mallopt up in the C library itself.
            typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(nil, "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
            _ = mallopt(mmapThreshold, 1 << 20)
        #endif
    }
}
