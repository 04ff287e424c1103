import Autoscaler
import Testing

/// Reading the consumers' `/metrics` pages and estimating the processing time from them.
@Suite struct PrometheusMetricsTests {
    static let page = """
        # TYPE videoqueue_consumer_jobs_in_flight gauge
        videoqueue_consumer_jobs_in_flight 2.0
        # TYPE videoqueue_consumer_job_duration_seconds histogram
        videoqueue_consumer_job_duration_seconds_bucket{outcome="completed",le="60.0"} 3
        videoqueue_consumer_job_duration_seconds_bucket{outcome="completed",le="+Inf"} 4
        videoqueue_consumer_job_duration_seconds_sum{outcome="completed"} 200.0
        videoqueue_consumer_job_duration_seconds_count{outcome="completed"} 4
        videoqueue_consumer_job_duration_seconds_sum{outcome="skipped"} 0.5
        videoqueue_consumer_job_duration_seconds_count{outcome="skipped"} 10
        videoqueue_consumer_job_duration_seconds_sum{outcome="failed"} 40
        videoqueue_consumer_job_duration_seconds_count{outcome="failed"} 1
        videoqueue_consumer_jobs_total{type="transcode",outcome="completed"} 4
        """

    @Test func samplesAreParsed() {
        let samples = PrometheusSample.parse(Self.page + "\nweird{a=\"x\\\"y\",b=\"\"} NaN 1700000000\nbroken{ 1\n")
        #expect(samples.count == 11)
        #expect(samples.first == PrometheusSample(name: "videoqueue_consumer_jobs_in_flight", value: 2))
        #expect(samples.contains { $0.name.hasSuffix("_bucket") && $0.labels["le"] == "+Inf" && $0.value == 4 })
        let weird = samples.last
        #expect(weird?.labels == ["a": "x\"y", "b": ""])
        #expect(weird?.value.isNaN == true)
    }

    @Test func aSnapshotReadsInFlightAndTheProcessingOutcomes() throws {
        let snapshot = try #require(ConsumerMetricsSnapshot(prometheusText: Self.page))
        #expect(snapshot.inFlight == 2)
        #expect(snapshot.jobCount == 5)  // completed + failed; skipped ones are not processing
        #expect(snapshot.jobSeconds == 240)
        #expect(snapshot.averageJobSeconds == 48)
    }

    @Test func aConsumerBeforeItsFirstJobIsIdleAndOtherPagesAreNotConsumers() throws {
        let fresh = try #require(ConsumerMetricsSnapshot(prometheusText: "videoqueue_consumer_empty_receives_total 3\n"))
        #expect(fresh.inFlight == 0)
        #expect(fresh.averageJobSeconds == nil)
        #expect(ConsumerMetricsSnapshot(prometheusText: "http_requests_total 5\n") == nil)
        #expect(ConsumerMetricsSnapshot(prometheusText: "") == nil)
    }

    @Test func theEstimatorPrefersTheLatestWindowAndSurvivesRestarts() {
        var estimator = ProcessingTimeEstimator()
        #expect(estimator.update(["a": nil]) == nil)
        #expect(estimator.update(["a": ConsumerMetricsSnapshot(inFlight: 1, jobSeconds: 100, jobCount: 2)]) == 50)  // since start
        let window = estimator.update([
            "a": ConsumerMetricsSnapshot(inFlight: 0, jobSeconds: 190, jobCount: 3),  // one job of 90 s since
            "b": ConsumerMetricsSnapshot(inFlight: 0, jobSeconds: 10, jobCount: 1),  // first seen: baseline only
        ])
        #expect(window == 90)
        // Nothing finished since: the mean since start of all (200 s ÷ 4).
        #expect(
            estimator.update([
                "a": ConsumerMetricsSnapshot(inFlight: 0, jobSeconds: 190, jobCount: 3),
                "b": ConsumerMetricsSnapshot(inFlight: 0, jobSeconds: 10, jobCount: 1),
            ]) == 50)
        // "a" restarted (counters fell): a new baseline, not a negative window.
        #expect(estimator.update(["a": ConsumerMetricsSnapshot(inFlight: 0, jobSeconds: 30, jobCount: 1)]) == 30)
    }

    @Test func listUnitsOutputIsParsed() {
        let output = """
            videoqueue-consumer@1.service loaded active running VideoQueue consumer 1 (FFmpeg worker)
            videoqueue-consumer@2.service loaded deactivating stop-sigterm VideoQueue consumer 2 (FFmpeg worker)
            ● videoqueue-consumer@3.service loaded failed failed VideoQueue consumer 3 (FFmpeg worker)
            videoqueue-consumer@x.service loaded active running VideoQueue consumer x
            videoqueue-consumer@04.service loaded active running VideoQueue consumer 04
            videoqueue-producer.service loaded active running VideoQueue producer
            videoqueue-consumer@10.service loaded activating start VideoQueue consumer 10 (FFmpeg worker)
            """
        let units = ConsumerUnit.parse(listUnits: output, prefix: "videoqueue-consumer")
        #expect(units.map(\.number) == [1, 2, 3, 10])
        #expect(units.map(\.isRunning) == [true, false, false, true])
        #expect(units.map(\.isDraining) == [false, true, false, false])
    }
}
