/// One output size of the rendition ladder.
public struct Rendition: Sendable, Equatable {
    /// The name used in paths and kinds, e.g. `720p`.
    public var name: String
    /// The output width (even).
    public var width: Int
    /// The output height (even).
    public var height: Int
    /// The cap on the video bit rate, in bits per second.
    public var maximumVideoBitRate: Int

    public init(name: String, width: Int, height: Int, maximumVideoBitRate: Int) {
        self.name = name
        self.width = width
        self.height = height
        self.maximumVideoBitRate = maximumVideoBitRate
    }

    /// The renditions for a source of `width`×`height` (as displayed): each of `heights` (the short side)
    /// at or below the source's short side, largest first; never an upscale. A source below every height
    /// gets one rendition at its own size. Dimensions keep the aspect ratio and are even.
    public static func ladder(sourceWidth width: Int, sourceHeight height: Int, heights: [Int]) -> [Rendition] {
        guard width > 0, height > 0 else { return [] }
        let shortSide = min(width, height)
        var targets = Set(heights.filter { $0 > 0 && $0 <= shortSide }).sorted(by: >)
        if targets.isEmpty { targets = [max(2, shortSide / 2 * 2)] }
        var seen = Set<String>()
        return targets.compactMap { target in
            let rendition = fitting(sourceWidth: width, sourceHeight: height, shortSide: target)
            return seen.insert(rendition.name).inserted ? rendition : nil
        }
    }

    /// The rendition whose short side is `shortSide` (rounded down to even), aspect ratio kept.
    public static func fitting(sourceWidth width: Int, sourceHeight height: Int, shortSide: Int) -> Rendition {
        let short = max(2, shortSide / 2 * 2)
        let landscape = width >= height
        let long = max(2, Int((Double(short) * Double(landscape ? width : height) / Double(landscape ? height : width) / 2).rounded()) * 2)
        let (outWidth, outHeight) = landscape ? (long, short) : (short, long)
        return Rendition(name: "\(short)p", width: outWidth, height: outHeight, maximumVideoBitRate: bitRate(width: outWidth, height: outHeight))
    }

    /// A bit-rate cap by pixel count: about 5 Mb/s at 1080p, 2.8 at 720p, 1.4 at 480p.
    static func bitRate(width: Int, height: Int) -> Int {
        let pixels = Double(width * height)
        let rate = 1_400_000 * pow(pixels / (854 * 480), 0.75)
        return max(150_000, Int(rate / 1000) * 1000)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
