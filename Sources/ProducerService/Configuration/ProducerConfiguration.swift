import Foundation
import ServiceSupport
import VideoCore

/// Everything the producer needs to run, with defaults; ``init(environment:)`` reads it from the environment.
///
/// | variable | default |
/// |---|---|
/// | `VIDEOQUEUE_HOST`, `VIDEOQUEUE_PORT` | `127.0.0.1`, `8080` |
/// | `VIDEOQUEUE_BUCKET` | required |
/// | `VIDEOQUEUE_QUEUE_URL` | required |
/// | `VIDEOQUEUE_DLQ_URL` | none (then `/v1/queue` reports the main queue only) |
/// | `DATABASE_URL` | `videoqueue.sqlite` (a file path or `sqlite://…`; `postgres://…` for PostgreSQL) |
/// | `VIDEOQUEUE_MAX_UPLOAD_BYTES` | 10 GiB |
/// | `VIDEOQUEUE_DIRECT_SINGLE_PUT_BYTES` | 64 MiB: direct uploads up to this size get one presigned PUT, larger ones presigned parts |
/// | `VIDEOQUEUE_DEFAULT_JOBS` | `transcode,thumbnails` |
/// | `VIDEOQUEUE_CODECS` | the codecs whose encoders this machine's `ffmpeg` has (`h264` without one): what uploads may ask for |
/// | `VIDEOQUEUE_RETENTION_DAYS` | 0: finished videos are kept for ever (else deleted with their files that many days after they finished) |
/// | `VIDEOQUEUE_RETENTION_OVERRIDES` | none: `owner=days,…` over the default (0: for ever) |
/// | `VIDEOQUEUE_RETENTION_SWEEP_SECONDS` | 3600: how often one producer (a database lease) deletes expired videos |
/// | `VIDEOQUEUE_PRESETS_FILE` | none: one preset, `standard` (see ``PresetCatalog``) |
/// | `VIDEOQUEUE_UPLOADS_PER_MINUTE` | 60 (per API key; 0 turns the limit off) |
/// | `VIDEOQUEUE_PRESIGN_SECONDS` | 3600 |
/// | `VIDEOQUEUE_WEBHOOK_TIMEOUT_SECONDS` | 10: how long a webhook receiver has to answer |
/// | `VIDEOQUEUE_WEBHOOK_RETRY_BASE_SECONDS`, `VIDEOQUEUE_WEBHOOK_RETRY_MAX_SECONDS` | 5, 3600: retry delays (doubling, jittered) |
/// | `VIDEOQUEUE_WEBHOOK_RETRY_FOR_SECONDS` | 93600 (26 h): how long a delivery is retried |
/// | `VIDEOQUEUE_WEBHOOK_ALLOW_PRIVATE` | `false`: endpoints on loopback/private/link-local addresses are refused |
/// | `VIDEOQUEUE_MAX_WEBHOOKS_PER_KEY` | 10 endpoints per owner |
/// | `VIDEOQUEUE_PLAYBACK_TOKEN_SECONDS` | 3600: how long the playback links of a video start playback |
/// | `VIDEOQUEUE_METRICS_REQUIRE_KEY` | `false` |
/// | `VIDEOQUEUE_PUBLIC_URL` | none (status URLs are then relative) |
/// | `VIDEOQUEUE_UPLOAD_SECRET` | random per process (set one shared secret when several producers serve one API); signs upload and playback tokens |
/// | `VIDEOQUEUE_ORPHAN_AGE_SECONDS` | 86400: uploads this old without a record are deleted |
/// | `VIDEOQUEUE_CONTROL_PER_MINUTE` | 60: retries and cancels/deletes per owner per minute (0: unlimited) |
/// | `VIDEOQUEUE_AUTH_FAILURES_PER_MINUTE` | 30: requests with a bad or missing key per client address per minute (0: unlimited); a key that authenticated in the last minute still passes |
/// | `VIDEOQUEUE_TRUSTED_PROXIES` | none: comma-separated addresses or networks (`10.0.0.0/8`) of proxies whose `X-Forwarded-For` names the client |
/// | `VIDEOQUEUE_MAX_UPLOADS_PER_KEY`, `VIDEOQUEUE_MAX_UPLOADS` | 4, 64: uploads in progress at once per owner, in all |
/// | `VIDEOQUEUE_MAX_STREAMS_PER_KEY`, `VIDEOQUEUE_MAX_STREAMS` | 16, 1000: open SSE/WebSocket progress streams per owner, in all |
/// | `VIDEOQUEUE_WS_MESSAGES_PER_SECOND` | 5: messages a WebSocket client may send per second (bursts of 10) |
/// | `VIDEOQUEUE_IDLE_TIMEOUT_SECONDS` | 30: a connection silent this long (between requests or inside one) is closed |
/// | `VIDEOQUEUE_REQUEST_HEAD_TIMEOUT_SECONDS` | 10: a request head not received whole within this long closes the connection |
/// | `VIDEOQUEUE_MIN_BODY_BYTES_PER_SECOND` | 1024: a request body must average this over every 30 s spent waiting for it, else `408 body_too_slow` and the connection closed (0: off) |
/// | `VIDEOQUEUE_MULTIPART_HEADER_BYTES` | 8192: the longest header line of a multipart part |
/// | `VIDEOQUEUE_MULTIPART_HEADERS` | 16: header lines per part |
/// | `VIDEOQUEUE_MULTIPART_FIELDS` | 32: form fields per upload |
/// | `VIDEOQUEUE_MULTIPART_FIELD_BYTES` | 262144: bytes of all form fields together |
public struct ProducerConfiguration: Sendable {
    /// The address to bind.
    public var host: String = "127.0.0.1"
    /// The port to bind (0: any free port).
    public var port: Int = 8080
    /// The bucket sources and outputs live in.
    public var bucket: String
    /// The job queue's URL.
    public var queueURL: String
    /// The dead-letter queue's URL.
    public var deadLetterQueueURL: String?
    /// Where records are stored.
    public var databaseURL: String = "videoqueue.sqlite"
    /// The largest accepted upload.
    public var maximumUploadBytes: Int64 = 10 << 30
    /// The jobs of a video that asks for none.
    public var defaultJobs: [JobType] = [.transcode, .thumbnails]
    /// The video codecs uploads may ask for (the consumers' encoders; `VIDEOQUEUE_CODECS`).
    public var codecs: Set<VideoCodec> = [.h264]
    /// The processing presets uploads choose from (`VIDEOQUEUE_PRESETS_FILE`).
    public var presets = PresetCatalog()
    /// How long finished videos are kept (`VIDEOQUEUE_RETENTION_DAYS`, `VIDEOQUEUE_RETENTION_OVERRIDES`).
    public var retention = RetentionPolicy()
    /// How often the retention sweeper runs (`VIDEOQUEUE_RETENTION_SWEEP_SECONDS`).
    public var retentionSweepInterval: Duration = .seconds(3600)
    /// Uploads one API key may start per minute (a token bucket of this size); 0 = unlimited.
    public var uploadsPerMinute: Int = 60
    /// Retries and cancels/deletes one owner may make per minute (a token bucket); 0 = unlimited.
    public var controlRequestsPerMinute: Int = 60
    /// Requests with a missing or invalid API key one client address may make per minute before it gets `429`.
    public var authFailuresPerMinute: Int = 30
    /// Proxies (load balancers) in front of the producer: a request whose peer is one of them counts its failed
    /// authentications against the client its `X-Forwarded-For` names instead of the proxy's address.
    var trustedProxies: [IPNetwork] = []
    /// Uploads (streaming in, or completing) one owner may have in progress at once.
    public var maximumConcurrentUploadsPerKey: Int = 4
    /// Uploads in progress at once in this process.
    public var maximumConcurrentUploads: Int = 64
    /// Open progress streams (SSE and WebSocket) per owner.
    public var maximumStreamsPerKey: Int = 16
    /// Open progress streams in this process.
    public var maximumStreams: Int = 1_000
    /// WebSocket messages a client may send per second on one stream (a burst of twice as many).
    public var webSocketMessagesPerSecond: Int = 5
    /// A connection that sends nothing for this long (between requests, or inside a request's head or body) is
    /// closed.
    public var idleTimeout: Duration = .seconds(30)
    /// A connection whose next request head has not arrived whole within this long is closed.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// The least average pace of a request body, bytes per second over 30 s of waiting for it (``BodyPace``); 0: off.
    public var minimumBodyBytesPerSecond = 1024
    /// The span of waiting ``minimumBodyBytesPerSecond`` is measured over (tests shorten it).
    var bodyPaceWindow: Duration = .seconds(30)
    /// The pace every request body must keep.
    var bodyPace: BodyPace { BodyPace(bytesPerSecond: minimumBodyBytesPerSecond, window: bodyPaceWindow) }
    /// The lifetime of presigned download and upload URLs.
    public var presignSeconds: Int = 3600
    /// The lifetime of a playback token (`/v1/play/{token}/…`): how long a player may start playing with the links
    /// of `GET /v1/videos/{id}`. The presigned segment URLs it hands out last as long as the video plays.
    public var playbackTokenSeconds: Int = 3600
    /// Whether `/metrics` needs an API key.
    public var metricsRequireKey: Bool = false
    /// The base URL clients reach the producer at, for absolute status URLs.
    public var publicURL: String?
    /// The key that signs direct-upload tokens (HMAC-SHA256). Producers behind one load balancer need the same.
    public var uploadSecret: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    /// Direct uploads up to this size get one presigned PUT; larger ones a multipart upload.
    public var directSinglePutLimit: Int64 = 64 << 20
    /// Sources without a record (a crashed ingest, an abandoned direct upload) are deleted after this long.
    public var orphanAge: Duration = .seconds(86_400)
    /// How often the orphan sweeper looks.
    public var orphanSweepInterval: Duration = .seconds(600)
    /// How often the outbox dispatcher looks for unsent messages when nothing nudges it.
    public var dispatchInterval: Duration = .seconds(1)
    /// What a multipart upload may hold besides its file (header lines, headers per part, fields, field bytes).
    public var multipartLimits = MultipartLimits()
    /// How often an unchanged progress stream gets a keep-alive (which is also when a stream whose client went
    /// away is noticed and its place given back).
    public var eventKeepAlive: Duration = .seconds(15)
    /// How long an unanswered progress stream waits between database reads.
    public var eventPollInterval: Duration = .milliseconds(500)
    /// Webhooks: how often the dispatcher looks for due deliveries.
    public var webhookInterval: Duration = .seconds(1)
    /// Webhooks: how long a receiver has to answer an attempt.
    public var webhookTimeout: Duration = .seconds(10)
    /// Webhooks: the first retry's delay (doubling, with full jitter, up to ``webhookRetryMaximum``).
    public var webhookRetryBase: Duration = .seconds(5)
    /// Webhooks: the longest delay between two attempts.
    public var webhookRetryMaximum: Duration = .seconds(3_600)
    /// Webhooks: a delivery is retried for this long after its event, then failed (at least a day).
    public var webhookRetention: Duration = .seconds(26 * 3_600)
    /// Webhooks: whether endpoints may be on loopback, private, link-local or metadata addresses (tests, an internal
    /// receiver); off, they are refused (SSRF).
    public var webhookAllowPrivateTargets = false
    /// Webhooks: the most endpoints one owner may register.
    public var maximumWebhooksPerOwner = 10

    /// A configuration from its required parts.
    public init(bucket: String, queueURL: String) {
        self.bucket = bucket
        self.queueURL = queueURL
    }

    /// The configuration in `settings` (the `producer serve` flags over the environment); `detectedCodecs` (what the machine's FFmpeg can encode) is the default of
    /// `VIDEOQUEUE_CODECS`.
    public init(settings environment: Settings = Settings(), detectedCodecs: Set<VideoCodec>? = nil) throws(ConfigurationError) {
        self.init(bucket: try environment.required("VIDEOQUEUE_BUCKET"), queueURL: try environment.required("VIDEOQUEUE_QUEUE_URL"))
        if let text = environment.string("VIDEOQUEUE_CODECS") {
            guard let codecs = VideoCodec.list(text) else {
                throw ConfigurationError(
                    setting: "VIDEOQUEUE_CODECS", message: "must list codecs of \(VideoCodec.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.codecs = codecs
        } else if let detectedCodecs, !detectedCodecs.isEmpty {
            codecs = detectedCodecs
        }
        retention.defaultDays = try environment.int("VIDEOQUEUE_RETENTION_DAYS", default: 0, in: 0...36_500)
        if let text = environment.string("VIDEOQUEUE_RETENTION_OVERRIDES") {
            retention.overrides = try RetentionPolicy.overrides(text, setting: "VIDEOQUEUE_RETENTION_OVERRIDES")
        }
        retentionSweepInterval = try environment.duration("VIDEOQUEUE_RETENTION_SWEEP_SECONDS", default: retentionSweepInterval, in: 1...86_400)
        if let path = environment.string("VIDEOQUEUE_PRESETS_FILE") {
            presets = try PresetCatalog.load(path: path, codecs: codecs)
        }
        host = environment.string("VIDEOQUEUE_HOST", default: host)
        port = try environment.int("VIDEOQUEUE_PORT", default: port, in: 0...65_535)
        deadLetterQueueURL = environment.string("VIDEOQUEUE_DLQ_URL")
        databaseURL = environment.string("DATABASE_URL", default: databaseURL)
        maximumUploadBytes = Int64(try environment.int("VIDEOQUEUE_MAX_UPLOAD_BYTES", default: Int(maximumUploadBytes), in: 1...(5 << 40)))
        directSinglePutLimit = Int64(
            try environment.int(
                "VIDEOQUEUE_DIRECT_SINGLE_PUT_BYTES", default: Int(directSinglePutLimit),
                in: 1...(5 << 30)))
        if let jobs = environment.string("VIDEOQUEUE_DEFAULT_JOBS") {
            defaultJobs = try Self.jobs(jobs, setting: "VIDEOQUEUE_DEFAULT_JOBS")
        }
        uploadsPerMinute = try environment.int("VIDEOQUEUE_UPLOADS_PER_MINUTE", default: uploadsPerMinute, in: 0...1_000_000)
        presignSeconds = try environment.int("VIDEOQUEUE_PRESIGN_SECONDS", default: presignSeconds, in: 1...604_800)
        playbackTokenSeconds = try environment.int("VIDEOQUEUE_PLAYBACK_TOKEN_SECONDS", default: playbackTokenSeconds, in: 1...604_800)
        metricsRequireKey = try environment.bool("VIDEOQUEUE_METRICS_REQUIRE_KEY", default: metricsRequireKey)
        publicURL = environment.string("VIDEOQUEUE_PUBLIC_URL")
        if let secret = environment.string("VIDEOQUEUE_UPLOAD_SECRET") {
            guard secret.utf8.count >= 16 else {
                throw ConfigurationError(setting: "VIDEOQUEUE_UPLOAD_SECRET", message: "must be at least 16 characters")
            }
            uploadSecret = Array(secret.utf8)
        }
        orphanAge = try environment.duration("VIDEOQUEUE_ORPHAN_AGE_SECONDS", default: orphanAge, in: 60...(30 * 86_400))
        controlRequestsPerMinute = try environment.int("VIDEOQUEUE_CONTROL_PER_MINUTE", default: controlRequestsPerMinute, in: 0...1_000_000)
        authFailuresPerMinute = try environment.int("VIDEOQUEUE_AUTH_FAILURES_PER_MINUTE", default: authFailuresPerMinute, in: 0...1_000_000)
        if let text = environment.string("VIDEOQUEUE_TRUSTED_PROXIES") {
            trustedProxies = try IPNetwork.list(text, setting: environment.source(of: "VIDEOQUEUE_TRUSTED_PROXIES"))
        }
        maximumConcurrentUploadsPerKey = try environment.int(
            "VIDEOQUEUE_MAX_UPLOADS_PER_KEY", default: maximumConcurrentUploadsPerKey,
            in: 1...10_000)
        maximumConcurrentUploads = try environment.int("VIDEOQUEUE_MAX_UPLOADS", default: maximumConcurrentUploads, in: 1...100_000)
        maximumStreamsPerKey = try environment.int("VIDEOQUEUE_MAX_STREAMS_PER_KEY", default: maximumStreamsPerKey, in: 1...100_000)
        maximumStreams = try environment.int("VIDEOQUEUE_MAX_STREAMS", default: maximumStreams, in: 1...1_000_000)
        webSocketMessagesPerSecond = try environment.int("VIDEOQUEUE_WS_MESSAGES_PER_SECOND", default: webSocketMessagesPerSecond, in: 1...10_000)
        idleTimeout = try environment.duration("VIDEOQUEUE_IDLE_TIMEOUT_SECONDS", default: idleTimeout, in: 1...3_600)
        requestHeadTimeout = try environment.duration("VIDEOQUEUE_REQUEST_HEAD_TIMEOUT_SECONDS", default: requestHeadTimeout, in: 1...3_600)
        minimumBodyBytesPerSecond = try environment.int("VIDEOQUEUE_MIN_BODY_BYTES_PER_SECOND", default: minimumBodyBytesPerSecond, in: 0...(1 << 30))
        multipartLimits.headerLineBytes = try environment.int(
            "VIDEOQUEUE_MULTIPART_HEADER_BYTES", default: multipartLimits.headerLineBytes,
            in: 256...(1 << 20))
        multipartLimits.headersPerPart = try environment.int("VIDEOQUEUE_MULTIPART_HEADERS", default: multipartLimits.headersPerPart, in: 1...256)
        multipartLimits.fields = try environment.int("VIDEOQUEUE_MULTIPART_FIELDS", default: multipartLimits.fields, in: 0...1_024)
        multipartLimits.fieldBytes = try environment.int(
            "VIDEOQUEUE_MULTIPART_FIELD_BYTES", default: multipartLimits.fieldBytes,
            in: 0...(16 << 20))
        webhookTimeout = try environment.duration("VIDEOQUEUE_WEBHOOK_TIMEOUT_SECONDS", default: webhookTimeout, in: 1...300)
        webhookRetryBase = try environment.duration("VIDEOQUEUE_WEBHOOK_RETRY_BASE_SECONDS", default: webhookRetryBase, in: 0.1...3_600)
        webhookRetryMaximum = try environment.duration("VIDEOQUEUE_WEBHOOK_RETRY_MAX_SECONDS", default: webhookRetryMaximum, in: 1...86_400)
        webhookRetention = try environment.duration("VIDEOQUEUE_WEBHOOK_RETRY_FOR_SECONDS", default: webhookRetention, in: 60...(7 * 86_400))
        webhookAllowPrivateTargets = try environment.bool("VIDEOQUEUE_WEBHOOK_ALLOW_PRIVATE", default: webhookAllowPrivateTargets)
        maximumWebhooksPerOwner = try environment.int("VIDEOQUEUE_MAX_WEBHOOKS_PER_KEY", default: maximumWebhooksPerOwner, in: 1...1_000)
    }

    /// Parses a comma-separated list of job types (known ones only, at least one).
    public static func jobs(_ text: String, setting: String) throws(ConfigurationError) -> [JobType] {
        let parsed = JobType.list(from: text)
        if let unknown = parsed.unknown {
            throw ConfigurationError(setting: setting, message: "unknown job type '\(unknown)' (known: \(JobType.knownNames))")
        }
        guard !parsed.jobs.isEmpty else { throw ConfigurationError(setting: setting, message: "names no job type") }
        return parsed.jobs
    }
}
