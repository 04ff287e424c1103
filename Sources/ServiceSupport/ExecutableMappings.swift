#if os(Linux)
    /// The running executable's mappings, from `/proc/self/maps`.
    struct ExecutableMappings {
        struct Mapping {
            var range: Range<UInt64>
            var writable: Bool
            var offset: UInt64
        }

        var mappings: [Mapping] = []

        init(maps: String, path: String) {
            for line in maps.split(separator: "\n") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 6, fields[5...].joined(separator: " ") == path else { continue }
                let bounds = fields[0].split(separator: "-")
                guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16),
                    let offset = UInt64(fields[2], radix: 16), start < end
                else { continue }
                mappings.append(Mapping(range: start..<end, writable: fields[1].contains("w"), offset: offset))
            }
        }

        /// Where the image was loaded: the mapping of file offset 0, less its segment's address.
        func loadBase(firstSegmentAddress: UInt64) -> UInt64? {
            guard let first = mappings.filter({ $0.offset == 0 }).min(by: { $0.range.lowerBound < $1.range.lowerBound }),
                first.range.lowerBound >= firstSegmentAddress
            else { return nil }
            return first.range.lowerBound - firstSegmentAddress
        }

        /// Whether `range` lies inside one read-only mapping of the executable.
        func isReadOnly(_ range: Range<UInt64>) -> Bool {
            mappings.contains { !$0.writable && $0.range.lowerBound <= range.lowerBound && range.upperBound <= $0.range.upperBound }
        }
    }
#endif
