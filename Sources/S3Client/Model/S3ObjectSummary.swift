import Foundation

/// One object of a ListObjectsV2 answer.
public struct S3ObjectSummary: Sendable, Equatable {
    /// The key.
    public var key: String
    /// The size in bytes.
    public var size: Int64
    /// The entity tag, quotes removed.
    public var eTag: String
    /// When it was last written.
    public var lastModified: Date?

    public init(key: String, size: Int64, eTag: String, lastModified: Date? = nil) {
        self.key = key
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
    }
}
