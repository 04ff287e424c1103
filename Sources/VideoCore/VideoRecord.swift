import Foundation

/// Everything VideoQueue knows about one uploaded video: the source, the requested jobs, where processing
/// stands and what it produced.
///
/// This is both the database row (``VideoStore``) and the body of the queue message (``QueueMessage``).
/// Timestamps have millisecond precision (``VideoTimestamp``). Decoding tolerates a missing `outputs`,
/// `attempts` or `progress` (defaults `[]`, `0`, `0`) and ignores unknown keys.
public struct VideoRecord: Codable, Sendable, Equatable, Identifiable {
    /// The video's id.
    public var id: UUID
    /// Who uploaded it (the API key's owner).
    public var owner: String
    /// A title for people.
    public var title: String
    /// The file name the upload came with.
    public var originalFilename: String
    /// The S3 bucket of the source.
    public var sourceBucket: String
    /// The S3 key of the source.
    public var sourceKey: String
    /// The source's size in bytes.
    public var size: Int64
    /// The source's SHA-256 (lower-case hex), when computed.
    public var sha256: String?
    /// The source object's ETag when it was recorded: the consumer processes that object or none
    /// (`source_changed`).
    public var sourceETag: String?
    /// The source's MIME type.
    public var contentType: String
    /// The requested outputs.
    public var jobs: [JobType]
    /// Where the video is in its life.
    public var status: VideoStatus
    /// What a processing video is doing.
    public var stage: VideoStage?
    /// Percent done, 0–100.
    public var progress: Double
    /// Estimated seconds left, when known.
    public var etaSeconds: Double?
    /// How many times a consumer claimed it. The store's fencing token: only the holder of the latest attempt
    /// may report progress, complete or fail it.
    public var attempts: Int
    /// Why it failed, when ``status`` is ``VideoStatus/failed``.
    public var error: VideoFailure?
    /// What processing produced.
    public var outputs: [VideoOutput]
    /// When the record was created.
    public var createdAt: Date
    /// When it was last queued.
    public var queuedAt: Date?
    /// When the latest attempt started.
    public var startedAt: Date?
    /// When it completed, failed or was cancelled.
    public var finishedAt: Date?
    /// When the record last changed.
    public var updatedAt: Date
    /// The SQS MessageId of the queue message the record was last queued or claimed with, kept by the store
    /// (the producer's outbox sets it after SendMessage, a consumer's claim sets it to the message it received,
    /// a retry clears it). A message SQS moves to the dead-letter queue keeps its id, so the consumer's
    /// dead-letter watcher fails only the records whose current message it is. Not part of the record's JSON
    /// (neither the queue message nor the API): `nil` after decoding.
    public var messageID: String?
    /// What the caller attached to the video (a small JSON object: ``CallerMetadata``), returned as sent.
    public var metadata: [String: JSONValue]?
    /// The named preset the video was processed with (the producer's default when the upload named none).
    public var preset: String?
    /// How it is processed: the preset's settings with the caller's own over them, validated at upload.
    public var options: ProcessingOptions?

    public init(
        id: UUID = UUID(), owner: String, title: String, originalFilename: String,
        sourceBucket: String, sourceKey: String, size: Int64, sha256: String? = nil, contentType: String,
        jobs: [JobType], status: VideoStatus = .pending, stage: VideoStage? = nil, progress: Double = 0,
        etaSeconds: Double? = nil, attempts: Int = 0, error: VideoFailure? = nil, outputs: [VideoOutput] = [],
        createdAt: Date = Date(), queuedAt: Date? = nil, startedAt: Date? = nil, finishedAt: Date? = nil,
        updatedAt: Date? = nil, messageID: String? = nil, sourceETag: String? = nil, metadata: [String: JSONValue]? = nil,
        preset: String? = nil, options: ProcessingOptions? = nil
    ) {
        self.preset = preset
        self.options = options
        self.id = id
        self.owner = owner
        self.title = title
        self.originalFilename = originalFilename
        self.sourceBucket = sourceBucket
        self.sourceKey = sourceKey
        self.size = size
        self.sha256 = sha256
        self.contentType = contentType
        self.jobs = jobs
        self.status = status
        self.stage = stage
        self.progress = progress
        self.etaSeconds = etaSeconds
        self.attempts = attempts
        self.error = error
        self.outputs = outputs
        self.createdAt = VideoTimestamp.normalized(createdAt)
        self.queuedAt = queuedAt.map(VideoTimestamp.normalized)
        self.startedAt = startedAt.map(VideoTimestamp.normalized)
        self.finishedAt = finishedAt.map(VideoTimestamp.normalized)
        self.updatedAt = VideoTimestamp.normalized(updatedAt ?? createdAt)
        self.messageID = messageID
        self.sourceETag = sourceETag
        self.metadata = metadata
    }

    /// Every field but ``messageID``, which only the store keeps.
    private enum CodingKeys: String, CodingKey {
        case id, owner, title, originalFilename, sourceBucket, sourceKey, size, sha256, sourceETag, contentType, jobs, status,
            stage, progress, etaSeconds, attempts, error, outputs, createdAt, queuedAt, startedAt, finishedAt,
            updatedAt, metadata, preset, options
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let createdAt = try c.decode(Date.self, forKey: .createdAt)
        self.init(
            id: try c.decode(UUID.self, forKey: .id),
            owner: try c.decode(String.self, forKey: .owner),
            title: try c.decode(String.self, forKey: .title),
            originalFilename: try c.decode(String.self, forKey: .originalFilename),
            sourceBucket: try c.decode(String.self, forKey: .sourceBucket),
            sourceKey: try c.decode(String.self, forKey: .sourceKey),
            size: try c.decodeInteger(Int64.self, forKey: .size),
            sha256: try c.decodeIfPresent(String.self, forKey: .sha256),
            contentType: try c.decode(String.self, forKey: .contentType),
            jobs: try c.decode([JobType].self, forKey: .jobs),
            status: try c.decode(VideoStatus.self, forKey: .status),
            stage: try c.decodeIfPresent(VideoStage.self, forKey: .stage),
            progress: try c.decodeIfPresent(Double.self, forKey: .progress) ?? 0,
            etaSeconds: try c.decodeIfPresent(Double.self, forKey: .etaSeconds),
            attempts: try c.decodeIntegerIfPresent(Int.self, forKey: .attempts) ?? 0,
            error: try c.decodeIfPresent(VideoFailure.self, forKey: .error),
            outputs: try c.decodeIfPresent([VideoOutput].self, forKey: .outputs) ?? [],
            createdAt: createdAt,
            queuedAt: try c.decodeIfPresent(Date.self, forKey: .queuedAt),
            startedAt: try c.decodeIfPresent(Date.self, forKey: .startedAt),
            finishedAt: try c.decodeIfPresent(Date.self, forKey: .finishedAt),
            updatedAt: try c.decodeIfPresent(Date.self, forKey: .updatedAt) ?? createdAt,
            sourceETag: try c.decodeIfPresent(String.self, forKey: .sourceETag),
            metadata: try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata),
            preset: try c.decodeIfPresent(String.self, forKey: .preset),
            options: try c.decodeIfPresent(ProcessingOptions.self, forKey: .options)
        )
        guard progress.isFinite, (0...100).contains(progress) else {
            throw DecodingError.dataCorruptedError(forKey: .progress, in: c, debugDescription: "progress must be within 0…100")
        }
        guard size >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .size, in: c, debugDescription: "size must not be negative")
        }
    }
}
