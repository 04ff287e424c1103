import Foundation
import MediaProcessing
import ServiceSupport
import TestSupport
import Testing
import VideoCore

@testable import ConsumerService

/// The job timeout follows the probed duration and the job list, and settings SQS cannot serve are refused.
@Suite("Job timeout")
struct JobTimeoutTests {
    static let hour = 3600.0

    static func work(_ jobs: [JobType], renditions: Int = 1, codec: VideoCodec = .h264, encodesOnce: Bool = true) -> JobTimeoutPolicy.Workload {
        JobTimeoutPolicy.Workload(jobs: jobs, renditions: renditions, codec: codec, encodesOnce: encodesOnce)
    }

    @Test("at the defaults a 4-hour source gets more than it needs at real time, whatever its ladder")
    func longSourceAtDefaults() {
        let defaults = ConsumerConfiguration(queueURL: "http://localhost/q", bucket: "b")
        let policy = defaults.jobTimeoutPolicy
        let transcode = policy.timeout(duration: defaults.maximumVideoDuration, workload: Self.work(defaults.defaultJobs))
        #expect(transcode == .seconds(4 * 3600 * 5 / 4 + 15 * 60))  // 5 h 15 min
        #expect(transcode > .seconds(4 * 3600) + .seconds(15 * 60))
        let withThumbnails = policy.timeout(duration: 4 * Self.hour, workload: Self.work([.transcode, .thumbnails]))
        #expect(withThumbnails == .seconds(6 * 3600 + 15 * 60))
        #expect(withThumbnails < JobTimeoutPolicy.sqsInFlightLimit)
        // The default ladder (1080p, 720p, 480p) is one run: a 4-hour 1080p source fits, with room to spare.
        #expect(policy.timeout(duration: 4 * Self.hour, workload: Self.work(defaults.defaultJobs, renditions: 3)) == transcode)
        #expect(policy.refusal(duration: 4 * Self.hour, workload: Self.work(defaults.defaultJobs, renditions: 3)) == nil)
    }

    @Test("a ladder is one encode, HEVC and AV1 count three times, and hls beside transcode costs nothing more when the two share one encode")
    func renditionsAndCodec() {
        let policy = JobTimeoutPolicy(floor: .seconds(60), margin: .zero)
        let hour = Self.hour
        #expect(policy.timeout(duration: hour, workload: Self.work([.transcode], renditions: 1)) == .seconds(4500))
        #expect(policy.timeout(duration: hour, workload: Self.work([.transcode], renditions: 3)) == .seconds(4500))
        #expect(policy.timeout(duration: hour, workload: Self.work([.transcode], renditions: 3, codec: .hevc)) == .seconds(3 * 4500))
        #expect(policy.timeout(duration: hour, workload: Self.work([.transcode], renditions: 2, codec: .av1)) == .seconds(3 * 4500))
        #expect(policy.timeout(duration: hour, workload: Self.work([.hls], renditions: 3)) == .seconds(4500))
        #expect(policy.timeout(duration: hour, workload: Self.work([.transcode, .hls], renditions: 3)) == .seconds(4500), "one shared encode")
        #expect(policy.timeout(duration: hour, workload: Self.work([.transcode, .hls], renditions: 3, encodesOnce: false)) == .seconds(2 * 4500))
        #expect(policy.timeout(duration: hour, workload: Self.work([.cutAnalysis], renditions: 3)) == .seconds(4500))
        #expect(policy.timeout(duration: hour, workload: Self.work([.cutAnalysis], renditions: 3, codec: .hevc)) == .seconds(3 * 4500))
        #expect(policy.timeout(duration: hour, workload: Self.work([.thumbnails, .audio], renditions: 3, codec: .av1)) == .seconds(1260))
        #expect(policy.timeout(duration: hour, workload: Self.work([.transcode], renditions: 0)) == .seconds(4500), "at least one")
    }

    @Test("a probed source that needs more than SQS's in-flight limit allows is refused with job_too_long, naming what it needs; one that fits is not")
    func tooLongIsRefusedAtProbeTime() throws {
        let policy = JobTimeoutPolicy(floor: .seconds(3600))
        // 4 h in HEVC: 4 h × 3.75 + 15 min = 15 h 15 min.
        let failure = try #require(policy.refusal(duration: 4 * Self.hour, workload: Self.work([.transcode], renditions: 3, codec: .hevc)))
        #expect(failure.code == "job_too_long")
        #expect(failure.message.contains("4 h source"), "\(failure.message)")
        #expect(failure.message.contains("3 renditions in hevc"))
        #expect(failure.message.contains("15 h 15 min"))
        #expect(failure.message.contains("11 h 50 min"))
        #expect(
            policy.refusal(duration: 3 * Self.hour, workload: Self.work([.transcode], renditions: 3, codec: .hevc)) == nil, "3 h × 3.75 + 15 min = 11 h 30 min")
        #expect(policy.refusal(duration: 4 * Self.hour, workload: Self.work([.transcode], renditions: 3)) == nil, "H.264 at 4 h fits")
        #expect(policy.refusal(duration: 10 * Self.hour, workload: Self.work([.transcode], renditions: 1)) != nil, "10 h × 1.25 + 15 min = 12 h 45 min")
        #expect(policy.refusal(duration: nil, workload: Self.work([.transcode], renditions: 3)) == nil, "unknown: the floor")
        #expect(JobTimeoutPolicy.describe(.seconds(12 * 60 + 30)) == "12 min 30 s")
        #expect(JobTimeoutPolicy.describe(.seconds(45)) == "45 s")
    }

    @Test("the workload follows the probed source: the ladder's renditions above its size are dropped, the video's own renditions and codec win")
    func workloadFollowsTheSource() {
        func info(width: Int, height: Int, rotation: Int = 0) -> MediaInfo {
            MediaInfo(
                formatName: "mov", duration: 10, size: 1, bitRate: nil,
                streams: [MediaStreamInfo(index: 0, type: .video, width: width, height: height, rotation: rotation)])
        }
        let defaults = MediaJobOptions()
        #expect(defaults.renditionHeights == [1080, 720, 480])
        #expect(MediaJobWork.workload(jobs: [.transcode], options: defaults, info: info(width: 1920, height: 1080), encodesOnce: true).renditions == 3)
        #expect(MediaJobWork.workload(jobs: [.transcode], options: defaults, info: info(width: 1280, height: 720), encodesOnce: true).renditions == 2)
        #expect(
            MediaJobWork.workload(jobs: [.transcode], options: defaults, info: info(width: 1080, height: 1920), encodesOnce: true).renditions == 3,
            "portrait: the short side counts")
        #expect(MediaJobWork.workload(jobs: [.transcode], options: defaults, info: info(width: 320, height: 240), encodesOnce: true).renditions == 1)
        let audioOnly = MediaInfo(formatName: "mp3", duration: 10, size: 1, bitRate: nil, streams: [MediaStreamInfo(index: 0, type: .audio)])
        #expect(MediaJobWork.workload(jobs: [.audio], options: defaults, info: audioOnly, encodesOnce: true).renditions == 1)
        let asked = defaults.applying(ProcessingOptions(renditions: [720], codec: .av1))
        let workload = MediaJobWork.workload(jobs: [.transcode, .hls], options: asked, info: info(width: 1920, height: 1080), encodesOnce: false)
        #expect(workload == JobTimeoutPolicy.Workload(jobs: [.transcode, .hls], renditions: 1, codec: .av1, encodesOnce: false))
    }

    @Test("the floor for short or unknown durations; the sum of the jobs' factors plus the margin above it")
    func rule() {
        let policy = JobTimeoutPolicy(floor: .seconds(3600), margin: .seconds(900))
        #expect(policy.timeout(duration: nil, workload: Self.work([.transcode])) == .seconds(3600))
        #expect(policy.timeout(duration: 0, workload: Self.work([.transcode])) == .seconds(3600))
        #expect(policy.timeout(duration: -5, workload: Self.work([.transcode])) == .seconds(3600))
        #expect(policy.timeout(duration: .nan, workload: Self.work([.transcode])) == .seconds(3600))
        #expect(policy.timeout(duration: .infinity, workload: Self.work([.transcode])) == .seconds(3600))
        #expect(policy.timeout(duration: 60, workload: Self.work([.transcode, .hls])) == .seconds(3600))
        #expect(policy.timeout(duration: 2 * Self.hour, workload: Self.work([.transcode])) == .seconds(9000 + 900))
        #expect(policy.timeout(duration: 2 * Self.hour, workload: Self.work([.transcode, .hls], encodesOnce: false)) == .seconds(5 * 3600 + 900))
        #expect(policy.timeout(duration: 2 * Self.hour, workload: Self.work([.transcode, .transcode])) == .seconds(9000 + 900), "a job counts once")
        #expect(policy.timeout(duration: 2 * Self.hour, workload: Self.work([.audio])) == .seconds(3600))
        #expect(policy.timeout(duration: 10 * Self.hour, workload: Self.work([.audio])) == .seconds(3600 + 900))
        #expect(policy.timeout(duration: 1000, workload: Self.work(["custom"])) == .seconds(3600))
        #expect(policy.timeout(duration: 4 * Self.hour, workload: Self.work(["custom"])) == .seconds(5 * 3600 + 900))
        #expect(JobTimeoutPolicy.factor(for: .cutAnalysis, in: Self.work([.cutAnalysis])) == 1.25)
        #expect(JobTimeoutPolicy.factor(for: .thumbnails, in: Self.work([.thumbnails])) == 0.25)
    }

    @Test("never past SQS's 12-hour in-flight limit, whatever the source and jobs")
    func ceiling() {
        let policy = JobTimeoutPolicy(floor: .seconds(3600))
        let all = Self.work([.transcode, .hls, .thumbnails, .cutAnalysis, .audio], renditions: 3)
        #expect(policy.timeout(duration: 8 * Self.hour, workload: all) == JobTimeoutPolicy.ceiling)
        #expect(policy.uncappedTimeout(duration: 8 * Self.hour, workload: all) > JobTimeoutPolicy.ceiling)
        #expect(JobTimeoutPolicy.ceiling < JobTimeoutPolicy.sqsInFlightLimit)
    }

    @Test("a job timeout of 12 h or more is refused naming the job timeout and the visibility timeout")
    func floorPastSQSLimitIsRefused() throws {
        for hours in [12, 13, 24] {
            var configuration = ConsumerConfiguration(queueURL: "http://localhost/q", bucket: "b")
            configuration.jobTimeout = .seconds(hours * 3600)
            let error = try #require(throws: ConfigurationError.self) { try configuration.validate() }
            #expect(error.setting == "VIDEOQUEUE_JOB_TIMEOUT")
            #expect(error.message.contains("VIDEOQUEUE_VISIBILITY_TIMEOUT"))
        }
        var fits = ConsumerConfiguration(queueURL: "http://localhost/q", bucket: "b")
        fits.jobTimeout = .seconds(11 * 3600)
        try fits.validate()
    }

    @Test("a longest source the default jobs could not finish even at one rendition is refused at start naming both settings")
    func maximumDurationPastSQSLimitIsRefused() throws {
        var configuration = ConsumerConfiguration(queueURL: "http://localhost/q", bucket: "b")
        configuration.maximumVideoDuration = 10 * Self.hour  // 10 h × 1.25 + 15 min > 11 h 50 min
        let error = try #require(throws: ConfigurationError.self) { try configuration.validate() }
        #expect(error.setting == "VIDEOQUEUE_MAX_DURATION")
        #expect(error.message.contains("VIDEOQUEUE_JOB_TIMEOUT"))
        #expect(error.message.contains("VIDEOQUEUE_DEFAULT_JOBS=transcode"))

        configuration.maximumVideoDuration = 4 * Self.hour
        configuration.encodesOnce = false
        configuration.defaultJobs = [.transcode, .hls, .cutAnalysis]  // 4 h × 3.75 + 15 min
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.encodesOnce = true  // one shared encode: 4 h × 2.5 + 15 min
        try configuration.validate()
        configuration.encodesOnce = false
        configuration.defaultJobs = [.transcode, .hls]  // 4 h × 2.5 + 15 min = 10 h 15 min
        try configuration.validate()
        configuration.maximumVideoDuration = 5 * Self.hour  // 5 h × 2.5 + 15 min: past the ceiling
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }

    @Test("the environment's margin, and a bad one, name the variable")
    func marginFromEnvironment() throws {
        let configuration = try ConsumerConfiguration(environment: [
            "VIDEOQUEUE_QUEUE_URL": "http://localhost/q", "VIDEOQUEUE_BUCKET": "b", "VIDEOQUEUE_JOB_TIMEOUT_MARGIN": "5m",
        ])
        #expect(configuration.jobTimeoutMargin == .seconds(300))
        #expect(throws: ConfigurationError.self) {
            try ConsumerConfiguration(environment: ["VIDEOQUEUE_JOB_TIMEOUT_MARGIN": "soon"])
        }
    }

    @Test("the deadline: the floor until the probe, then the fitted timeout, never shorter")
    func deadline() async throws {
        let deadline = JobDeadline(policy: JobTimeoutPolicy(floor: .milliseconds(100), margin: .zero))
        #expect(deadline.timeout == .milliseconds(100))
        deadline.fit(duration: 1, workload: Self.work([.transcode]))
        #expect(deadline.timeout == .milliseconds(1250))
        deadline.fit(duration: nil, workload: Self.work([.transcode]))
        #expect(deadline.timeout == .milliseconds(1250), "never shortened")
        let start = ContinuousClock.now
        try await deadline.waitUntilPassed()
        #expect(ContinuousClock.now - deadline.start >= .milliseconds(1250))
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("end to end: a job longer than the floor but within its probed timeout completes")
    func probedTimeoutLetsTheJobFinish() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.jobTimeout = .seconds(4)  // the floor alone would stop the 8-second job (and leaves the
            // download and the probe time, even on a busy machine)
            configuration.jobTimeoutMargin = .seconds(20)  // 2 s source × 1.25 + 20 s
            let consumer = harness.consumer(configuration, pacedSeconds: 8)
            let outcome = try await consumer.runOnce(waitTime: 5)
            #expect(outcome == .completed)
            #expect(try await harness.record(record.id).status == .completed)
        }
    }

    @Test("end to end: a source whose job cannot finish within SQS's in-flight limit fails at probe time as job_too_long, permanently, without encoding")
    func tooLongFailsAtProbe() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.jobTimeoutMargin = JobTimeoutPolicy.ceiling  // any source's need passes the ceiling
            let consumer = harness.consumer(configuration, pacedSeconds: 30)
            let start = ContinuousClock.now
            #expect(try await consumer.runOnce(waitTime: 5) == .failed)
            #expect(ContinuousClock.now - start < .seconds(20), "failed at the probe, not after the 30 s job")
            let failed = try await harness.record(record.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "job_too_long")
            #expect(failed.attempts == 1)
            #expect(try await harness.messageCount() == 0)
            #expect(try await harness.messageCount(harness.deadLetterQueueURL) == 0)
        }
    }
}
