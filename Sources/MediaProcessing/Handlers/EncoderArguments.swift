/// The H.264/AAC encoder arguments the handlers share.
enum EncoderArguments {
    /// x264 at the configured preset and CRF, capped at `maximumBitRate`, 8-bit 4:2:0 for every player.
    static func video(options: MediaJobOptions, maximumBitRate: Int?) -> [String] {
        var arguments = ["-c:v", "libx264", "-preset", options.x264Preset, "-crf", String(options.crf), "-pix_fmt", "yuv420p"]
        if let maximumBitRate {
            arguments += ["-maxrate", String(maximumBitRate), "-bufsize", String(maximumBitRate * 2)]
        }
        return arguments
    }

    /// AAC at the configured bit rate, stereo at most.
    static func audio(options: MediaJobOptions, source: MediaStreamInfo?) -> [String] {
        let channels = min(2, max(1, source?.channels ?? 2))
        return ["-c:a", "aac", "-b:a", String(options.audioBitRate), "-ac", String(channels)]
    }

    /// Keyframes forced at every multiple of `interval` seconds, where HLS segments are cut.
    static func keyframes(every interval: Double) -> [String] {
        ["-force_key_frames", "expr:gte(t,n_forced*\(interval))"]
    }

    /// Metadata (GPS tags and the like) and chapters are not carried over.
    static let stripMetadata = ["-map_metadata", "-1", "-map_chapters", "-1"]

    /// `[0:N]split=N[s0]…;[s0]scale=W:H,setsar=1[v0];…` for the renditions from the stream `video` (e.g. `0:1`,
    /// the validated stream, never "the first video stream"); outputs are `[v0]`, `[v1]`…
    static func scaleGraph(_ renditions: [Rendition], video: String, extraFilters: String = "") -> String {
        let suffix = extraFilters.isEmpty ? "" : "," + extraFilters
        if renditions.count == 1, let only = renditions.first {
            return "[\(video)]scale=\(only.width):\(only.height),setsar=1\(suffix)[v0]"
        }
        let labels = renditions.indices.map { "[s\($0)]" }.joined()
        var graph = "[\(video)]split=\(renditions.count)\(labels)"
        for (index, rendition) in renditions.enumerated() {
            graph += ";[s\(index)]scale=\(rendition.width):\(rendition.height),setsar=1\(suffix)[v\(index)]"
        }
        return graph
    }
}
