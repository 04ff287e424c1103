@testable import ConsumerService
import Foundation
import ServiceSupport
import Testing
import TestSupport
import VideoCore

/// The job timeout follows the probed duration and the job list, and settings SQS cannot serve are refused.
@Suite("Job timeout")
struct JobTimeoutTests {
    static let hour = 3600.0

    @Test("a 4-hour source at the defaults gets more than it needs at real time per FFmpeg run, below SQS's 12 hours")
    func longSourceAtDefaults() {
        let defaults = ConsumerConfiguration(queueURL: "http://localhost/q", bucket: "b")
        let policy = defaults.jobTimeoutPolicy
        let transcode = policy.timeout(duration: defaults.maximumVideoDuration, jobs: defaults.defaultJobs)
        #expect(transcode == .seconds(4 * 3600 * 5 / 4 + 15 * 60))            // 5 h 15 min
        #expect(transcode > .seconds(4 * 3600) + .seconds(15 * 60))
        let withThumbnails = policy.timeout(duration: 4 * Self.hour, jobs: [.transcode, .thumbnails])
        #expect(withThumbnails == .seconds(6 * 3600 + 15 * 60))
        #expect(withThumbnails < JobTimeoutPolicy.sqsInFlightLimit)
    }

    @Test("the floor for short or unknown durations; the sum of the jobs' factors plus the margin above it")
    func rule() {
        let policy = JobTimeoutPolicy(floor: .seconds(3600), margin: .seconds(900))
        #expect(policy.timeout(duration: nil, jobs: [.transcode]) == .seconds(3600))
        #expect(policy.timeout(duration: 0, jobs: [.transcode]) == .seconds(3600))
        #expect(policy.timeout(duration: -5, jobs: [.transcode]) == .seconds(3600))
        #expect(policy.timeout(duration: .nan, jobs: [.transcode]) == .seconds(3600))
        #expect(policy.timeout(duration: .infinity, jobs: [.transcode]) == .seconds(3600))
        #expect(policy.timeout(duration: 60, jobs: [.transcode, .hls]) == .seconds(3600))
        #expect(policy.timeout(duration: 2 * Self.hour, jobs: [.transcode]) == .seconds(9000 + 900))
        #expect(policy.timeout(duration: 2 * Self.hour, jobs: [.transcode, .hls]) == .seconds(5 * 3600 + 900))
        #expect(policy.timeout(duration: 2 * Self.hour, jobs: [.audio]) == .seconds(3600))
        #expect(policy.timeout(duration: 10 * Self.hour, jobs: [.audio]) == .seconds(3600 + 900))
        #expect(policy.timeout(duration: 1000, jobs: ["custom"]) == .seconds(3600))
        #expect(policy.timeout(duration: 4 * Self.hour, jobs: ["custom"]) == .seconds(5 * 3600 + 900))
        #expect(JobTimeoutPolicy.factor(for: .cutAnalysis) == 1.25)
        #expect(JobTimeoutPolicy.factor(for: .thumbnails) == 0.25)
    }

    @Test("never past SQS's 12-hour in-flight limit, whatever the source and jobs")
    func ceiling() {
        let policy = JobTimeoutPolicy(floor: .seconds(3600))
        let all: [JobType] = [.transcode, .hls, .thumbnails, .cutAnalysis, .audio]
        #expect(policy.timeout(duration: 8 * Self.hour, jobs: all) == JobTimeoutPolicy.ceiling)
        #expect(policy.uncappedTimeout(duration: 8 * Self.hour, jobs: all) > JobTimeoutPolicy.ceiling)
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

    @Test("a longest source the job timeout cannot serve with the default jobs is refused naming both settings")
    func maximumDurationPastSQSLimitIsRefused() throws {
        var configuration = ConsumerConfiguration(queueURL: "http://localhost/q", bucket: "b")
        configuration.maximumVideoDuration = 10 * Self.hour         // 10 h × 1.25 + 15 min > 11 h 50 min
        let error = try #require(throws: ConfigurationError.self) { try configuration.validate() }
        #expect(error.setting == "VIDEOQUEUE_MAX_DURATION")
        #expect(error.message.contains("VIDEOQUEUE_JOB_TIMEOUT"))
        #expect(error.message.contains("VIDEOQUEUE_DEFAULT_JOBS=transcode"))

        configuration.maximumVideoDuration = 4 * Self.hour
        configuration.defaultJobs = [.transcode, .hls, .cutAnalysis]  // 4 h × 3.75 + 15 min
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.defaultJobs = [.transcode, .hls]                 // 4 h × 2.5 + 15 min = 10 h 15 min
        try configuration.validate()
        configuration.maximumVideoDuration = 5 * Self.hour             // 5 h × 2.5 + 15 min: past the ceiling
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
        deadline.fit(duration: 1, jobs: [.transcode])
        #expect(deadline.timeout == .milliseconds(1250))
        deadline.fit(duration: nil, jobs: [.transcode])
        #expect(deadline.timeout == .milliseconds(1250), "never shortened")
        let start = ContinuousClock.now
        try await deadline.waitUntilPassed()
        #expect(ContinuousClock.now - deadline.start >= .milliseconds(1250))
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("end to end: a job longer than the floor but within its probed timeout completes")
    func probedTimeoutLetsTheJobFinish() async throws {
        let harness = try await ConsumerHarness.make()
        try await withTearDown { await harness.tearDown() } body: {
            let record = try await harness.enqueue(jobs: ["paced"], source: try await TestVideos.smallVideo())
            var configuration = harness.configuration()
            configuration.jobTimeout = .seconds(4)           // the floor alone would stop the 8-second job (and leaves the
                                                             // download and the probe time, even on a busy machine)
            configuration.jobTimeoutMargin = .seconds(20)    // 2 s source × 1.25 + 20 s
            let consumer = harness.consumer(configuration, pacedSeconds: 8)
            let outcome = try await consumer.runOnce(waitTime: 5)
            #expect(outcome == .completed)
            #expect(try await harness.record(record.id).status == .completed)
        }
    }
}
