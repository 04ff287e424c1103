import MediaProcessing
import VideoCore

extension MediaJobOptions {
    /// These options (the consumer's defaults) with a video's processing options over them.
    public func applying(_ options: ProcessingOptions?) -> MediaJobOptions {
        guard let options else { return self }
        var result = self
        if let renditions = options.renditions { result.renditionHeights = renditions }
        if let codec = options.codec { result.codec = codec }
        if let quality = options.quality { result.crf = quality }
        if let segmentDuration = options.segmentDuration { result.hlsSegmentDuration = segmentDuration }
        if let count = options.thumbnailCount {
            result.thumbnailCount = count
            result.thumbnailInterval = nil
        }
        if let interval = options.thumbnailInterval { result.thumbnailInterval = interval }
        if let audioBitRate = options.audioBitRate { result.audioBitRate = audioBitRate }
        if let language = options.language { result.transcriptionLanguage = language }
        return result
    }
}
