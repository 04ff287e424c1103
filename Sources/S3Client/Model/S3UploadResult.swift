import Foundation

/// The outcome of an upload (single PutObject or multipart).
public struct S3UploadResult: Sendable, Equatable {
    /// The object's entity tag, quotes removed (`…-N` for a multipart object).
    public var eTag: String
    /// The bytes uploaded.
    public var size: Int64
    /// 1 for a single PutObject, else the number of parts.
    public var partCount: Int
    /// The version id, when the bucket is versioned.
    public var versionID: String?

    public init(eTag: String, size: Int64, partCount: Int, versionID: String? = nil) {
        self.eTag = eTag
        self.size = size
        self.partCount = partCount
        self.versionID = versionID
    }
}

/// A part of a multipart upload: its number and entity tag (as CompleteMultipartUpload needs them).
public struct S3CompletedPart: Sendable, Equatable {
    /// The part number, 1…10,000.
    public var partNumber: Int
    /// The part's entity tag, quotes removed.
    public var eTag: String
    /// The part's size (from ListParts; 0 when not known).
    public var size: Int64

    public init(partNumber: Int, eTag: String, size: Int64 = 0) {
        self.partNumber = partNumber
        self.eTag = eTag
        self.size = size
    }
}

/// The outcome of DeleteObjects: what was deleted and, per key, what was not.
public struct S3DeleteResult: Sendable, Equatable {
    /// A key S3 did not delete, and why.
    public struct Failure: Sendable, Equatable {
        public var key: String
        public var code: S3Error.Code
        public var message: String
    }

    /// The keys deleted (or already absent).
    public var deleted: [String]
    /// The keys S3 refused, with the reason.
    public var failed: [Failure]

    /// Whether every key was deleted.
    public var allSucceeded: Bool { failed.isEmpty }
}

/// A multipart upload in progress (ListMultipartUploads).
public struct S3MultipartUploadSummary: Sendable, Equatable {
    /// The object key.
    public var key: String
    /// The upload id.
    public var uploadID: String
    /// When it was started.
    public var initiated: Date?
}
