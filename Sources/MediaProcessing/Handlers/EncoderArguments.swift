import VideoCore

/// The video (H.264, HEVC, AV1) and AAC encoder arguments the handlers share.
enum EncoderArguments {
    /// The configured codec at its preset and CRF, capped at `maximumBitRate` (H.264 and HEVC: SVT-AV1 has no
    /// cap with a CRF), 8-bit 4:2:0 for every player; HEVC tagged `hvc1`, as Apple's players want.
    static func video(options: MediaJobOptions, maximumBitRate: Int?) -> [String] {
        var arguments = ["-c:v", options.codec.encoder]
        switch options.codec {
        case .h264:
            arguments += ["-preset", options.x264Preset]
        case .hevc:
            arguments += ["-preset", options.x264Preset, "-tag:v", "hvc1", "-x265-params", "log-level=error"]
        case .av1:
            arguments += ["-preset", String(svtPreset(options.x264Preset))]
        }
        arguments += ["-crf", String(options.crf), "-pix_fmt", "yuv420p"]
        if let maximumBitRate, options.codec != .av1 {
            arguments += ["-maxrate", String(maximumBitRate), "-bufsize", String(maximumBitRate * 2)]
        }
        return arguments
    }

    /// The SVT-AV1 preset (0 slowest … 13 fastest) that matches an x264 preset name.
    static func svtPreset(_ name: String) -> Int {
        let presets = [
            "ultrafast": 12, "superfast": 11, "veryfast": 10, "faster": 9, "fast": 8, "medium": 7, "slow": 5, "slower": 4,
            "veryslow": 3, "placebo": 2,
        ]
        return presets[name] ?? 8
    }

    /// AAC at the configured bit rate, stereo at most.
    static func audio(options: MediaJobOptions, source: MediaStreamInfo?) -> [String] {
        let channels = min(2, max(1, source?.channels ?? 2))
        return ["-c:a", "aac", "-b:a", String(options.audioBitRate), "-ac", String(channels)]
    }

    /// Keyframes at every multiple of `interval` seconds, where HLS segments are cut: forced for x264 and x265 (with
    /// no scene-cut keyframes when `strict`); SVT-AV1 ignores forced keyframes, so it gets a fixed GOP of
    /// `interval` × `frameRate` frames.
    static func keyframes(every interval: Double, options: MediaJobOptions, frameRate: Double?, strict: Bool = false) -> [String] {
        switch options.codec {
        case .av1:
            let frames = max(1, Int((interval * (frameRate ?? 30)).rounded()))
            return ["-g", String(frames)]
        case .h264, .hevc:
            return ["-force_key_frames", "expr:gte(t,n_forced*\(interval))"] + (strict && options.codec == .h264 ? ["-sc_threshold", "0"] : [])
        }
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
