import AWSClientRuntime
import AWSQuery
import AWSSigV4
import Autoscaler
import Foundation
import NIOHTTP1
import SQSClient
import ServiceSupport
import Synchronization
import TestSupport
import Testing

/// The modes end to end: the queue on LocalStack, a fake `systemctl` on PATH that records its calls, consumer
/// `/metrics` from a fake server, CloudWatch on LocalStack, EC2 Auto Scaling from a fake server.
@Suite struct AutoscalerServiceTests {
    /// A queue on LocalStack holding `visible` messages; deleted by the caller.
    static func queue(visible: Int) async throws -> (SQSClient, String) {
        let sqs = SQSClient(configuration: try Emulator.localstack.configuration())
        let url = try await sqs.createQueue(named: Emulator.uniqueName("autoscaler"))
        if visible > 0 {
            _ = try await sqs.sendBatch((0..<visible).map { SQSOutgoingMessage(body: "{\"n\":\($0)}") }, to: url)
        }
        return (sqs, url)
    }

    /// A directory with an executable `systemctl` that appends its arguments to `calls.log` and answers
    /// `list-units` with `units.txt`.
    struct FakeSystemctl {
        let directory: TemporaryDirectory

        init(units: String) throws {
            directory = try TemporaryDirectory()
            try directory.write("units.txt", units)
            let script = try directory.write(
                "systemctl",
                """
                #!/bin/sh
                echo "$*" >> "\(directory.path)/calls.log"
                case "$1" in
                    list-units) cat "\(directory.path)/units.txt" ;;
                    start|stop) [ -z "$FAKE_SYSTEMCTL_FAIL" ] || { echo "Failed to $1: $FAKE_SYSTEMCTL_FAIL" >&2; exit 5; } ;;
                esac
                """)
            guard chmod(script, 0o755) == 0 else { throw EmulatorError("chmod \(script) failed") }
        }

        /// The environment with the fake first on PATH.
        func environment(_ extra: [String: String] = [:]) -> [String: String] {
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = directory.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            return environment.merging(extra) { _, new in new }
        }

        var calls: [String] {
            ((try? String(contentsOfFile: directory.file("calls.log"), encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
        }
    }

    /// Endpoints that do not answer cost half a second, not three.
    static let scraper = MetricsScraper(timeout: .seconds(5))  // a loaded CI machine: a scrape that times out reads as unknown

    static func unitLine(_ number: Int, _ state: String) -> String {
        "videoqueue-consumer@\(number).service loaded \(state) running VideoQueue consumer \(number) (FFmpeg worker)\n"
    }

    @Test func localModeStartsTheLowestFreeInstancesThroughSystemctl() async throws {
        let (sqs, url) = try await Self.queue(visible: 12)  // 12 ÷ 5 per instance → 3
        try await withTearDown {
            try? await sqs.deleteQueue(url)
        } body: {
            let fake = try FakeSystemctl(units: Self.unitLine(2, "active"))
            defer { fake.directory.remove() }
            var configuration = AutoscalerConfiguration(queueURL: url)
            configuration.local = true
            configuration.metricsPortBase = 1  // nothing listens on 2 and 3: instances without metrics
            let service = try AutoscalerService(
                configuration: configuration, sqs: sqs,
                systemctl: SystemctlController(environment: fake.environment()), scraper: Self.scraper)
            let round = try await service.runOnce()
            #expect(round.decision.desiredInstances == 3, "\(round)")
            #expect(round.started == [1, 3])
            #expect(
                fake.calls == [
                    "list-units --all --plain --no-legend --no-pager --type=service videoqueue-consumer@*.service",
                    "start --no-block videoqueue-consumer@1.service",
                    "start --no-block videoqueue-consumer@3.service",
                ])
            #expect(await service.currentState.lastScalingAction != nil)
        }
    }

    @Test func localModeStopsOnlyInstancesWhoseMetricsSayIdleAndRemembersTheCooldown() async throws {
        let (sqs, url) = try await Self.queue(visible: 0)
        try await withTearDown {
            try? await sqs.deleteQueue(url)
        } body: {
            let inFlight = Mutex(0)
            let server = try await FakeHTTPServer.start { request in
                guard request.path == "/metrics" else { return .reply(.notFound) }
                return .ok(
                    "videoqueue_consumer_jobs_in_flight \(inFlight.withLock { $0 })\n"
                        + "videoqueue_consumer_job_duration_seconds_sum{outcome=\"completed\"} 90\n"
                        + "videoqueue_consumer_job_duration_seconds_count{outcome=\"completed\"} 3\n")
            }
            try await withTearDown {
                try? await server.shutdown()
            } body: {
                // Instance 3's metrics are the fake server; instances 1 and 2 have none (unknown: never stopped).
                let fake = try FakeSystemctl(units: Self.unitLine(1, "active") + Self.unitLine(2, "active") + Self.unitLine(3, "active"))
                defer { fake.directory.remove() }
                let state = try TemporaryDirectory()
                defer { state.remove() }
                var configuration = AutoscalerConfiguration(queueURL: url)
                configuration.local = true
                configuration.metricsPortBase = server.port - 3
                configuration.stateFile = state.file("state.json")
                configuration.policy.scaleInCooldown = .seconds(300)
                let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
                let clock: @Sendable () -> Date = { now.withLock { $0 } }
                func service() throws -> AutoscalerService {
                    try AutoscalerService(
                        configuration: configuration, sqs: sqs, systemctl: SystemctlController(environment: fake.environment()),
                        scraper: Self.scraper, clock: clock)
                }

                inFlight.withLock { $0 = 1 }  // busy: kept
                let busy = try await service().runOnce()
                #expect(busy.decision.desiredInstances == 1)
                #expect(busy.stopped.isEmpty, "\(busy)")
                #expect(busy.decision.processingTime == 30)
                #expect(busy.decision.processingTimeMeasured)

                inFlight.withLock { $0 = 0 }  // idle: stopped (no state yet, so no cooldown)
                let idle = try await service().runOnce()
                #expect(idle.stopped == [3], "\(idle)")
                #expect(fake.calls.last == "stop --no-block videoqueue-consumer@3.service")
                let saved = try AutoscalerState.load(from: state.file("state.json"))
                #expect(saved.lastScalingAction == clock())

                // A new process (a --once run from a timer) 60 s later reads the state file: inside the cooldown.
                now.withLock { $0 = $0.addingTimeInterval(60) }
                let held = try await service().runOnce()
                #expect(held.stopped.isEmpty)
                #expect(held.decision.reasons.contains { $0.contains("cooldown") }, "\(held)")
                #expect(fake.calls.filter { $0.hasPrefix("stop") }.count == 1)
            }
        }
    }

    @Test func dryRunDecidesButCallsNothing() async throws {
        let (sqs, url) = try await Self.queue(visible: 30)
        try await withTearDown {
            try? await sqs.deleteQueue(url)
        } body: {
            let fake = try FakeSystemctl(units: "")
            defer { fake.directory.remove() }
            var configuration = AutoscalerConfiguration(queueURL: url)
            configuration.local = true
            configuration.dryRun = true
            let service = try AutoscalerService(configuration: configuration, sqs: sqs, systemctl: SystemctlController(environment: fake.environment()))
            let round = try await service.runOnce()
            #expect(round.decision.start == [1, 2, 3, 4, 5, 6])
            #expect(round.started.isEmpty)
            #expect(fake.calls.count == 1)  // list-units only
            #expect(round.description.contains("dry run: no instance started or stopped"))
            #expect(await service.currentState.lastScalingAction == nil)
        }
    }

    @Test func aFailingSystemctlIsAnErrorWithItsMessage() async throws {
        let (sqs, url) = try await Self.queue(visible: 1)
        try await withTearDown {
            try? await sqs.deleteQueue(url)
        } body: {
            let fake = try FakeSystemctl(units: "")
            defer { fake.directory.remove() }
            var configuration = AutoscalerConfiguration(queueURL: url)
            configuration.local = true
            let service = try AutoscalerService(
                configuration: configuration, sqs: sqs,
                systemctl: SystemctlController(environment: fake.environment(["FAKE_SYSTEMCTL_FAIL": "Access denied"])))
            await #expect {
                try await service.runOnce()
            } throws: { error in
                guard let error = error as? AutoscalerError else { return false }
                return error.code == .systemctl && error.message.contains("Access denied")
            }
            let missing = SystemctlController(executable: "systemctl-that-does-not-exist", environment: ["PATH": "/nonexistent"])
            #expect(throws: AutoscalerError.self) { try missing.resolvedExecutable() }
        }
    }

    @Test func cloudWatchModePublishesBacklogPerInstanceToLocalStack() async throws {
        let (sqs, url) = try await Self.queue(visible: 9)
        try await withTearDown {
            try? await sqs.deleteQueue(url)
        } body: {
            let namespace = "VideoQueueTest/" + Emulator.uniqueName("ns")
            let cloudWatch = CloudWatchClient(configuration: try Emulator.localstack.configuration())
            var configuration = AutoscalerConfiguration(queueURL: url)
            configuration.cloudWatch = true
            configuration.namespace = namespace
            configuration.instanceCount = 3
            let service = try AutoscalerService(configuration: configuration, sqs: sqs, cloudWatch: cloudWatch)
            let round = try await service.runOnce()
            #expect(round.decision.backlogPerInstance == 3)
            #expect(round.metrics.map(\.name).contains("BacklogPerInstance"))

            let metrics = try await cloudWatch.listMetrics(namespace: namespace)
            let names = Set(metrics.map(\.name))
            #expect(
                names.isSuperset(of: [
                    "BacklogPerInstance", "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed", "DesiredConsumers",
                ]), "\(metrics)")
            let backlog = try #require(metrics.first { $0.name == "BacklogPerInstance" })
            #expect(backlog.dimensions == ["QueueName": configuration.queueName])
            #expect(try await cloudWatch.listMetrics(namespace: namespace, name: "BacklogPerInstance").count == 1)
        }
    }

    @Test func cloudWatchErrorsCarryTheCode() async throws {
        let server = try await FakeHTTPServer.start { _ in
            FakeHTTPServer.Response(
                status: .badRequest, headers: ["Content-Type": "text/xml"],
                body: """
                    <ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>\
                    <Message>The value ∞ for parameter MetricData.member.1.Value is invalid.</Message></Error>\
                    <RequestId>r-1</RequestId></ErrorResponse>
                    """)
        }
        try await withTearDown {
            try? await server.shutdown()
        } body: { () async throws in  // its only `try`s are inside #expect
            let configuration = AWSClientConfiguration(
                region: "us-east-1", endpoint: AWSEndpoint(scheme: "http", host: "127.0.0.1:\(server.port)"),
                credentialProvider: StaticCredentialProvider(credentials: Credentials(accessKeyID: "AKID", secretAccessKey: "secret")))
            let cloudWatch = CloudWatchClient(configuration: configuration)
            await #expect {
                try await cloudWatch.putMetricData([MetricDatum(name: "X", value: 1)], namespace: "N")
            } throws: { error in
                guard let error = error as? AutoscalerError else { return false }
                return error.code == .cloudWatch && error.message.contains("InvalidParameterValue") && error.message.contains("r-1")
            }
        }
    }

    @Test func putMetricDataParametersFollowTheQueryProtocol() {
        let parameters = CloudWatchClient.parameters(
            for: [
                MetricDatum(name: "BacklogPerInstance", value: 2.5, dimensions: [("QueueName", "jobs"), ("AutoScalingGroupName", "consumers")]),
                MetricDatum(name: "AverageProcessingTime", value: 30, unit: "Seconds"),
            ], namespace: "VideoQueue")
        let expected: [(String, String)] = [
            ("Namespace", "VideoQueue"),
            ("MetricData.member.1.MetricName", "BacklogPerInstance"), ("MetricData.member.1.Value", "2.5"), ("MetricData.member.1.Unit", "Count"),
            ("MetricData.member.1.Dimensions.member.1.Name", "QueueName"), ("MetricData.member.1.Dimensions.member.1.Value", "jobs"),
            ("MetricData.member.1.Dimensions.member.2.Name", "AutoScalingGroupName"),
            ("MetricData.member.1.Dimensions.member.2.Value", "consumers"),
            ("MetricData.member.2.MetricName", "AverageProcessingTime"), ("MetricData.member.2.Value", "30"),
            ("MetricData.member.2.Unit", "Seconds"),
        ]
        #expect(parameters.map(\.0) == expected.map(\.0))
        #expect(parameters.map(\.1) == expected.map(\.1))
    }

    @Test func theAutoScalingGroupsInServiceCountDividesTheBacklog() async throws {
        let bodies = Mutex<[(String, String)]>([])
        let server = try await FakeHTTPServer.start { request in
            bodies.withLock { $0.append((request.body, request.headers.first(name: "Authorization") ?? "")) }
            return .ok(
                """
                <DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
                <DescribeAutoScalingGroupsResult><AutoScalingGroups><member>
                <AutoScalingGroupName>videoqueue-consumers</AutoScalingGroupName>
                <Instances>
                <member><InstanceId>i-1</InstanceId><LifecycleState>InService</LifecycleState></member>
                <member><InstanceId>i-2</InstanceId><LifecycleState>InService</LifecycleState></member>
                <member><InstanceId>i-3</InstanceId><LifecycleState>Pending</LifecycleState></member>
                <member><InstanceId>i-4</InstanceId><LifecycleState>Terminating:Wait</LifecycleState></member>
                </Instances></member></AutoScalingGroups></DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>
                """, contentType: "text/xml")
        }
        try await withTearDown {
            try? await server.shutdown()
        } body: {
            let configuration = AWSClientConfiguration(
                region: "eu-west-1", endpoint: AWSEndpoint(scheme: "http", host: "127.0.0.1:\(server.port)"),
                credentialProvider: StaticCredentialProvider(credentials: Credentials(accessKeyID: "AKID", secretAccessKey: "secret")))
            let client = AutoScalingGroupClient(configuration: configuration)
            #expect(try await client.inServiceCount(group: "videoqueue-consumers") == 2)
            let (body, authorization) = try #require(bodies.withLock { $0.first })
            #expect(body == "Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1=videoqueue-consumers")
            #expect(authorization.contains("/eu-west-1/autoscaling/aws4_request"))

            let (sqs, url) = try await Self.queue(visible: 8)
            try await withTearDown {
                try? await sqs.deleteQueue(url)
            } body: {
                var autoscaler = AutoscalerConfiguration(queueURL: url)
                autoscaler.cloudWatch = true
                autoscaler.dryRun = true
                autoscaler.autoScalingGroup = "videoqueue-consumers"
                let service = try AutoscalerService(
                    configuration: autoscaler, sqs: sqs,
                    cloudWatch: CloudWatchClient(configuration: try Emulator.localstack.configuration()),
                    autoScaling: client)
                let round = try await service.runOnce()
                #expect(round.decision.backlogPerInstance == 4)
                let dimensions = try #require(round.metrics.first?.dimensions)
                #expect(dimensions.map(\.name) == ["QueueName", "AutoScalingGroupName"])
                #expect(round.description.contains("would publish: BacklogPerInstance=4"))
            }
        }
    }

    @Test func configurationComesFromTheEnvironmentAndIsValidated() throws {
        let configuration = try AutoscalerConfiguration(
            settings: Settings([
                "VIDEOQUEUE_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/videoqueue-jobs",
                "VIDEOQUEUE_AUTOSCALER_MIN": "2", "VIDEOQUEUE_AUTOSCALER_MAX": "40",
                "VIDEOQUEUE_AUTOSCALER_LATENCY": "10m", "VIDEOQUEUE_AUTOSCALER_PROCESSING_TIME": "90s",
                "VIDEOQUEUE_AUTOSCALER_SCALE_IN_COOLDOWN": "1h", "VIDEOQUEUE_AUTOSCALER_INTERVAL": "30",
                "VIDEOQUEUE_AUTOSCALER_METRICS_URLS": "http://10.0.0.5:8101/metrics, http://10.0.0.6:8101/metrics",
                "VIDEOQUEUE_HEALTH_PORT_BASE": "9000",
            ]))
        #expect(
            configuration.policy
                == ScalingPolicy(
                    minimumInstances: 2, maximumInstances: 40, acceptableLatency: .seconds(600), jobsPerInstance: 1,
                    scaleInCooldown: .seconds(3600), defaultProcessingTime: .seconds(90)))
        #expect(configuration.interval == .seconds(30))
        #expect(configuration.metricsURLs.count == 2)
        #expect(configuration.queueName == "videoqueue-jobs")
        #expect(configuration.metricsURL(instance: 3) == "http://127.0.0.1:9003/metrics")
        #expect(throws: (any Error).self) { try configuration.validate() }  // no mode chosen
        var local = configuration
        local.local = true
        #expect(throws: Never.self) { try local.validate() }
        #expect(throws: (any Error).self) {
            try AutoscalerConfiguration(settings: Settings(["VIDEOQUEUE_AUTOSCALER_LATENCY": "soon"]))
        }
        // A flag stands over its variable, and an error names the flag that set the value.
        let flagged = Settings(
            ["VIDEOQUEUE_AUTOSCALER_MAX": "40"],
            flags: [
                .init("--max", "VIDEOQUEUE_AUTOSCALER_MAX", 7),
                .init("--latency", "VIDEOQUEUE_AUTOSCALER_LATENCY", "later"),
            ])
        #expect(flagged.string("VIDEOQUEUE_AUTOSCALER_MAX") == "7")
        #expect(
            throws: ConfigurationError(
                setting: "--latency",
                message: "'later' is not a duration in 0…31536000 s (seconds, or a number with ms, s, m or h)")
        ) {
            try AutoscalerConfiguration(settings: flagged)
        }
        var noQueue = AutoscalerConfiguration(queueURL: "")
        noQueue.dryRun = true
        #expect(throws: (any Error).self) { try noQueue.validate() }
        #expect(Settings.parseDuration("500ms") == .milliseconds(500))
        #expect(Settings.parseDuration("2h") == .seconds(7200))
        #expect(Settings.parseDuration("-1") == nil)
    }
}
