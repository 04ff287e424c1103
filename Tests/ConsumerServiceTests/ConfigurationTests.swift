import Logging
import MediaProcessing
import SQSClient
import ServiceSupport
import Testing
import VideoCore

@testable import ConsumerService

@Suite("Consumer configuration")
struct ConfigurationTests {
    let base = ["VIDEOQUEUE_QUEUE_URL": "http://127.0.0.1:4566/000000000000/jobs", "VIDEOQUEUE_BUCKET": "videos"]

    @Test("defaults and environment overrides")
    func environment() throws {
        let defaults = try ConsumerConfiguration(environment: base)
        try defaults.validate()
        #expect(defaults.visibilityTimeout == 60)
        #expect(defaults.heartbeatInterval == .seconds(20))
        #expect(defaults.waitTimeSeconds == 20)
        #expect(defaults.concurrency >= 1)
        #expect(defaults.defaultJobs == [.transcode])
        #expect(defaults.deadLetterCheckInterval == .seconds(60))

        var environment = base
        environment["VIDEOQUEUE_CONCURRENCY"] = "3"
        environment["VIDEOQUEUE_JOB_TIMEOUT"] = "5m"
        environment["VIDEOQUEUE_DRAIN_TIMEOUT"] = "1500ms"
        environment["VIDEOQUEUE_VISIBILITY_TIMEOUT"] = "90"
        environment["VIDEOQUEUE_HEALTH_PORT"] = "0"
        environment["VIDEOQUEUE_DEFAULT_JOBS"] = "transcode, hls"
        environment["DATABASE_URL"] = "postgres://u@db/videos"
        environment["VIDEOQUEUE_DLQ_CHECK_INTERVAL"] = "5m"
        let configuration = try ConsumerConfiguration(environment: environment)
        try configuration.validate()
        #expect(configuration.concurrency == 3)
        #expect(configuration.jobTimeout == .seconds(300))
        #expect(configuration.drainTimeout == .milliseconds(1500))
        #expect(configuration.heartbeatInterval == .seconds(30))
        #expect(configuration.healthPort == 0)
        #expect(configuration.defaultJobs == [.transcode, .hls])
        #expect(configuration.databaseURL == "postgres://u@db/videos")
        #expect(configuration.deadLetterCheckInterval == .seconds(300))
        #expect(
            try ConsumerConfiguration(environment: base.merging(["VIDEOQUEUE_DLQ_CHECK_INTERVAL": "0"]) { $1 }).deadLetterCheckInterval == .zero,
            "0 disables the dead-letter watcher")
    }

    @Test(
        "bad values name the variable",
        arguments: [
            ("VIDEOQUEUE_CONCURRENCY", "zero"), ("VIDEOQUEUE_CONCURRENCY", "0"), ("VIDEOQUEUE_JOB_TIMEOUT", "soon"),
            ("VIDEOQUEUE_VISIBILITY_TIMEOUT", "99999"), ("VIDEOQUEUE_HEALTH_PORT", "70000"), ("VIDEOQUEUE_DEFAULT_JOBS", "transcode,teleport"),
            ("VIDEOQUEUE_HEARTBEAT_INTERVAL", "45"), ("VIDEOQUEUE_QUEUE_URL", "not a url"), ("VIDEOQUEUE_WAIT_TIME", "21"),
            ("VIDEOQUEUE_DLQ_CHECK_INTERVAL", "hourly"), ("VIDEOQUEUE_DLQ_CHECK_INTERVAL", "-1"), ("VIDEOQUEUE_SINGLE_ENCODE", "maybe"),
            ("VIDEOQUEUE_WHISPER_THREADS", "0"),
        ])
    func badValues(name: String, value: String) throws {
        var environment = base
        environment[name] = value
        let error = #expect(throws: ConfigurationError.self) {
            try ConsumerConfiguration(environment: environment).validate()
        }
        #expect(error?.setting == name)
    }

    @Test("one list of job types: every name the producer accepts has a consumer handler, and nothing else does")
    func jobTypesAndHandlersAgree() {
        #expect(MediaJobRegistry.standard.names == JobType.all.map(\.rawValue).sorted())
        #expect(Set(JobType.all) == JobType.known)
    }

    @Test("single encode on by default, off by VIDEOQUEUE_SINGLE_ENCODE=false; the recogniser's settings read")
    func mediaSettings() throws {
        #expect(try ConsumerConfiguration(environment: base).encodesOnce)
        let configuration = try ConsumerConfiguration(
            environment: base.merging([
                "VIDEOQUEUE_SINGLE_ENCODE": "false", "VIDEOQUEUE_WHISPER_PYTHON": "/opt/w/bin/python", "VIDEOQUEUE_WHISPER_MODEL": "/models/small",
                "VIDEOQUEUE_WHISPER_THREADS": "2",
            ]) { $1 })
        #expect(!configuration.encodesOnce)
        #expect(configuration.whisperPython == "/opt/w/bin/python")
        #expect(configuration.whisperModel == "/models/small")
        #expect(configuration.whisperThreads == 2)
        let pipeline = ConsumerService.standardPipeline(configuration, logger: Logger(label: "test"))
        #expect(!pipeline.encodesOnce)
        #expect(pipeline.transcriber.modelPath == "/models/small")
    }

    @Test("the queue URL and bucket are required")
    func required() {
        #expect(throws: ConfigurationError.self) { try ConsumerConfiguration(environment: ["VIDEOQUEUE_BUCKET": "b"]).validate() }
        #expect(throws: ConfigurationError.self) {
            try ConsumerConfiguration(environment: ["VIDEOQUEUE_QUEUE_URL": base["VIDEOQUEUE_QUEUE_URL"] ?? ""]).validate()
        }
    }

    @Test("redrive policy parsing, backoff growth and failure classification")
    func helpers() {
        let policy = QueueSettings.parseRedrivePolicy(#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:0:dlq","maxReceiveCount":"4"}"#)
        #expect(policy.maximumReceiveCount == 4)
        #expect(policy.deadLetterTargetARN == "arn:aws:sqs:us-east-1:0:dlq")
        #expect(QueueSettings.parseRedrivePolicy(#"{"maxReceiveCount":7}"#).maximumReceiveCount == 7)

        let backoff = RedeliveryBackoff(base: 10, maximum: 100)
        #expect(backoff.ceiling(receiveCount: 1) == 10)
        #expect(backoff.ceiling(receiveCount: 3) == 40)
        #expect(backoff.ceiling(receiveCount: 50) == 100)
        for count in 1...8 {
            let delay = backoff.delay(receiveCount: count)
            #expect((backoff.ceiling(receiveCount: count) / 2...backoff.ceiling(receiveCount: count)).contains(delay))
        }
        #expect(Settings.parseDuration("1h") == .seconds(3600))
        #expect(Settings.parseDuration("-1") == nil)
        #expect(JobOutcome.completed.exitCode == 0)
        #expect(Set(JobOutcome.allCases.map(\.exitCode)).isDisjoint(with: [ConsumerExitCode.noMessage, ConsumerExitCode.failure]))
    }

    @Test func aTransientFailuresMessageLosesThisMachinesPathsLikeAPermanentOnes() {
        let disk = MediaError(code: .insufficientDiskSpace, message: "no space left writing /var/cache/videoqueue/consumer-1/job-42/out/720p.mp4")
        guard case .transient(let message, _) = FailureClassification.classify(disk) else {
            Issue.record("a full disk is transient")
            return
        }
        #expect(!message.contains("/var/cache"), "\(message)")
        #expect(message.contains("720p.mp4"))
        guard case .transient(let other, _) = FailureClassification.classify(CocoaLikeError(text: "open /etc/videoqueue/consumer.env failed")) else {
            Issue.record("an unknown error is transient")
            return
        }
        #expect(!other.contains("/etc/videoqueue"), "\(other)")
    }

    private struct CocoaLikeError: Error, CustomStringConvertible {
        var text: String
        var description: String { text }
    }
}

extension ConfigurationTests {
    @Test("stale receipt handle codes in every spelling SQS and LocalStack use")
    func staleCodes() {
        for code in ["ReceiptHandleIsInvalid", "AWS.SimpleQueueService.MessageNotInflight", "InvalidParameterValueException", "InvalidParameterValue"] {
            #expect(VisibilityHeartbeat.isStaleReceiptHandle(SQSError.Code(rawValue: code)), "\(code)")
        }
        #expect(!VisibilityHeartbeat.isStaleReceiptHandle(SQSError.Code(rawValue: "ThrottlingException")))
        #expect(!VisibilityHeartbeat.isStaleReceiptHandle(SQSError.Code(rawValue: "InternalError")))
    }

    @Test func theMediaLimitsAreSettingsAndReachTheProbeAndEveryInput() throws {
        let configuration = try ConsumerConfiguration(environment: [
            "VIDEOQUEUE_MAX_STREAMS": "6", "VIDEOQUEUE_MAX_VIDEO_STREAMS": "2", "VIDEOQUEUE_MAX_FRAME_RATE": "120",
            "VIDEOQUEUE_MAX_SAMPLE_RATE": "96000", "VIDEOQUEUE_MAX_AUDIO_CHANNELS": "6",
        ])
        #expect(configuration.mediaLimits.maximumStreams == 6)
        #expect(configuration.mediaLimits.maximumVideoStreams == 2)
        #expect(configuration.mediaLimits.maximumFrameRate == 120)
        #expect(configuration.mediaLimits.maximumSampleRate == 96_000)
        #expect(configuration.mediaLimits.maximumAudioChannels == 6)
        #expect(try ConsumerConfiguration(environment: [:]).mediaLimits == ProbeLimits.default)
        for (name, value) in [
            ("VIDEOQUEUE_MAX_STREAMS", "0"), ("VIDEOQUEUE_MAX_FRAME_RATE", "fast"), ("VIDEOQUEUE_MAX_SAMPLE_RATE", "99999999999"),
            ("VIDEOQUEUE_MAX_AUDIO_CHANNELS", "-2"), ("VIDEOQUEUE_MAX_VIDEO_STREAMS", "1e3"),
        ] {
            let error = #expect(throws: ConfigurationError.self, "\(name)=\(value)") { try ConsumerConfiguration(environment: [name: value]) }
            #expect(error?.setting == name)
        }
    }
}
