import VideoCore

/// One page of a video listing, newest first.
public struct VideoPage: Sendable, Equatable {
    /// The videos of this page.
    public var videos: [VideoRecord]
    /// Pass to the next call for the following page; `nil` on the last page. Opaque.
    public var nextCursor: String?

    public init(videos: [VideoRecord], nextCursor: String?) {
        self.videos = videos
        self.nextCursor = nextCursor
    }
}
