import ConsumerService
import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import ServiceSupport
import TestSupport
import Testing

@Suite("Consumer health server")
struct HealthServerTests {
    @Test("/healthz answers; /readyz needs SQS, S3, the database and a live poll loop; /metrics renders Prometheus")
    func routes() async throws {
        PrometheusMetrics.bootstrap()
        let harness = try await ConsumerHarness.make()
        try await withTearDown {
            await harness.tearDown()
        } body: {
            let consumer = harness.consumer()
            let app = Application(router: HealthServer.router(consumer: consumer))

            try await app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                }
                // The poll loop has not run yet: not ready, and the body says why.
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = String(buffer: response.body)
                    #expect(body.contains("poll_loop: not started"))
                    #expect(!body.contains("sqs:") && !body.contains("s3:") && !body.contains("database:"), "\(body)")
                }
            }

            // One message through the consumer: the poll loop is alive and the job metrics exist.
            _ = try await harness.enqueue(jobs: [.audio], source: try await TestVideos.smallVideo())
            #expect(try await consumer.runOnce(waitTime: 5) == .completed)
            try await app.test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = String(buffer: response.body)
                    #expect(body.contains("videoqueue_consumer_jobs_total"))
                    #expect(body.contains(#"outcome="completed""#))
                    #expect(body.contains("videoqueue_consumer_stage_duration_seconds"))
                }
            }

            // A missing bucket makes it unready.
            var broken = harness.configuration()
            broken.bucket = harness.bucket + "-missing"
            let unready = harness.consumer(broken)
            _ = try await unready.runOnce(waitTime: 0)
            let readiness = await HealthServer.readiness(of: unready)
            #expect(!readiness.isReady)
            #expect(readiness.s3 != nil)
            #expect(readiness.sqs == nil && readiness.database == nil && readiness.pollLoop == nil)
        }
    }
}
