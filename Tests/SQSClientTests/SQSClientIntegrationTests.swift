import AWSClientRuntime
import AWSSigV4
import Foundation
import SQSClient
import TestSupport
import Testing

/// Every SQS operation against LocalStack and against moto with signature checks on.
@Suite struct SQSClientIntegrationTests {
    /// A client and a fresh queue (with a dead-letter queue) deleted at the end.
    struct Fixture {
        let sqs: SQSClient
        let queue: String
        let deadLetterQueue: String

        init(_ emulator: Emulator, visibilityTimeout: Int = 30) async throws {
            sqs = SQSClient(configuration: try emulator.configuration())
            let name = Emulator.uniqueName("vq-test")
            deadLetterQueue = try await sqs.createQueue(named: name + "-dlq")
            let dlqArn = try await sqs.attributes(of: deadLetterQueue, names: ["QueueArn"])["QueueArn"] ?? ""
            queue = try await sqs.createQueue(
                named: name,
                attributes: [
                    "VisibilityTimeout": String(visibilityTimeout),
                    "RedrivePolicy": #"{"deadLetterTargetArn":"\#(dlqArn)","maxReceiveCount":"3"}"#,
                ])
        }

        func tearDown() async {
            try? await sqs.deleteQueue(queue)
            try? await sqs.deleteQueue(deadLetterQueue)
        }
    }

    @Test(arguments: Emulator.allCases)
    func queuesAreCreatedFoundListedAndConfigured(emulator: Emulator) async throws {
        let fixture = try await Fixture(emulator)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let name = String(fixture.queue.split(separator: "/").last ?? "")
            #expect(try await fixture.sqs.queueURL(named: name) == fixture.queue)
            #expect(try await fixture.sqs.listQueues(prefix: name).contains(fixture.queue))
            let attributes = try await fixture.sqs.attributes(of: fixture.queue)
            #expect(attributes["VisibilityTimeout"] == "30")
            #expect(attributes["RedrivePolicy"]?.contains("maxReceiveCount") == true)
            try await fixture.sqs.setAttributes(["VisibilityTimeout": "45", "ReceiveMessageWaitTimeSeconds": "1"], of: fixture.queue)
            #expect(try await fixture.sqs.attributes(of: fixture.queue, names: ["VisibilityTimeout"])["VisibilityTimeout"] == "45")
        }
    }

    @Test(arguments: Emulator.allCases)
    func aMessageRoundTripsWithItsAttributesAndIsDeleted(emulator: Emulator) async throws {
        let fixture = try await Fixture(emulator)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let body = #"{"version":1,"id":"ü-ñ-日本","note":"quotes \" and \\ and newline\n"}"#
            let sent = try await fixture.sqs.send(
                SQSOutgoingMessage(body: body, attributes: ["kind": .string("transcode"), "n": .number(7)]),
                to: fixture.queue)
            #expect(!sent.messageID.isEmpty)
            let messages = try await fixture.sqs.receive(from: fixture.queue, maximumMessages: 10, waitTime: 5)
            let message = try #require(messages.first)
            #expect(messages.count == 1)
            #expect(message.messageID == sent.messageID)
            #expect(message.body == body)
            #expect(message.messageAttributes["kind"] == .string("transcode"))
            #expect(message.messageAttributes["n"]?.stringValue == "7")
            #expect(message.approximateReceiveCount == 1)
            let sentAt = try #require(message.sentTimestamp)
            #expect(abs(sentAt.timeIntervalSinceNow) < 300)
            try await fixture.sqs.delete(receiptHandle: message.receiptHandle, from: fixture.queue)
            #expect(try await fixture.sqs.receive(from: fixture.queue, waitTime: 0).isEmpty)
        }
    }

    @Test(arguments: Emulator.allCases)
    func batchesAreSplitByCountAndSizeAndEveryMessageArrives(emulator: Emulator) async throws {
        let fixture = try await Fixture(emulator)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            var messages = (0..<23).map { SQSOutgoingMessage(body: "message \($0)") }
            let big = String(repeating: "x", count: 100_000)
            messages += (0..<3).map { SQSOutgoingMessage(body: "\($0)" + big) }  // 3 × 100 KB: more than one 256 KiB call
            let result = try await fixture.sqs.sendBatch(messages, to: fixture.queue)
            #expect(result.allSucceeded)
            #expect(result.successful.count == 26)

            var bodies: [String] = []
            var handles: [String] = []
            while bodies.count < 26 {
                let received = try await fixture.sqs.receive(from: fixture.queue, maximumMessages: 10, waitTime: 2)
                if received.isEmpty { break }
                bodies += received.map(\.body)
                handles += received.map(\.receiptHandle)
            }
            #expect(Set(bodies) == Set(messages.map(\.body)))
            let deleted = try await fixture.sqs.deleteBatch(receiptHandles: handles, from: fixture.queue)
            #expect(deleted.successful.count == 26)
            #expect(deleted.allSucceeded)
        }
    }

    @Test(arguments: Emulator.allCases)
    func batchFailuresAreReportedPerEntryNotThrownAway(emulator: Emulator) async throws {
        let fixture = try await Fixture(emulator)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.sqs.send(SQSOutgoingMessage(body: "one"), to: fixture.queue)
            let message = try #require(try await fixture.sqs.receive(from: fixture.queue, waitTime: 5).first)
            let result = try await fixture.sqs.deleteBatch(receiptHandles: ["not-a-receipt-handle", message.receiptHandle], from: fixture.queue)
            #expect(result.successful[1] == true)
            let failure = try #require(result.failed[0])
            #expect(failure.code == .receiptHandleIsInvalid)
            #expect(!failure.message.isEmpty)
        }
    }

    @Test(arguments: Emulator.allCases)
    func deletingWithAnInvalidReceiptHandleThrowsRatherThanClaimingSuccess(emulator: Emulator) async throws {
        let fixture = try await Fixture(emulator)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let error = try await #require(throws: SQSError.self) {
                try await fixture.sqs.delete(receiptHandle: "garbage", from: fixture.queue)
            }
            #expect(error.code == .receiptHandleIsInvalid)
            #expect(error.statusCode == 400)
        }
    }

    @Test(arguments: Emulator.allCases)
    func visibilityChangesHandMessagesBackAndExtendThem(emulator: Emulator) async throws {
        let fixture = try await Fixture(emulator)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            try await fixture.sqs.send(SQSOutgoingMessage(body: "a"), to: fixture.queue)
            try await fixture.sqs.send(SQSOutgoingMessage(body: "b"), to: fixture.queue)
            var received: [SQSMessage] = []
            while received.count < 2 {
                let batch = try await fixture.sqs.receive(from: fixture.queue, waitTime: 5)
                #expect(!batch.isEmpty)
                if batch.isEmpty { break }
                received += batch
            }
            // Extend one, hand the other back at once: only the second is received again.
            let extended = try await fixture.sqs.changeVisibilityBatch([(received[0].receiptHandle, 600), ("bogus", 10)], in: fixture.queue)
            #expect(extended.successful[0] == true)
            #expect(extended.failed[1]?.code == .receiptHandleIsInvalid)
            try await fixture.sqs.changeVisibility(receiptHandle: received[1].receiptHandle, in: fixture.queue, timeout: 0)
            let again = try await fixture.sqs.receive(from: fixture.queue, waitTime: 5)
            #expect(again.map(\.body) == [received[1].body])
            #expect(again.first?.approximateReceiveCount == 2)
        }
    }

    @Test(arguments: Emulator.allCases)
    func purgeEmptiesTheQueue(emulator: Emulator) async throws {
        let fixture = try await Fixture(emulator)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            _ = try await fixture.sqs.sendBatch((0..<5).map { SQSOutgoingMessage(body: "\($0)") }, to: fixture.queue)
            try await fixture.sqs.purge(fixture.queue)
            #expect(try await fixture.sqs.receive(from: fixture.queue, waitTime: 1).isEmpty)
        }
    }

    @Test(arguments: Emulator.allCases)
    func aMissingQueueIsQueueDoesNotExist(emulator: Emulator) async throws {
        let sqs = SQSClient(configuration: try emulator.configuration())
        let error = try await #require(throws: SQSError.self) { try await sqs.queueURL(named: Emulator.uniqueName("missing")) }
        #expect(error.code == .queueDoesNotExist)
        #expect(error.code == SQSError.Code(rawValue: "com.amazonaws.sqs#QueueDoesNotExist"))
        #expect(error.statusCode == 400)
    }

    @Test func wrongCredentialsAreRejectedByTheSignatureCheckingEmulatorWithTheCause() async throws {
        let right = try Emulator.moto.connection().credentials
        let wrongSecret = SQSClient(
            configuration: try Emulator.moto.configuration(
                credentials: Credentials(accessKeyID: right.accessKeyID, secretAccessKey: right.secretAccessKey + "x")))
        let error = try await #require(throws: SQSError.self) { try await wrongSecret.listQueues() }
        #expect(error.code == .signatureDoesNotMatch)
        #expect(error.statusCode == 403)
        let unknownKey = SQSClient(
            configuration: try Emulator.moto.configuration(
                credentials: Credentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "secret")))
        let unknown = try await #require(throws: SQSError.self) { try await unknownKey.listQueues() }
        #expect(unknown.code == .invalidClientTokenId)
    }

    @Test func tooLargeMessagesAndBadParametersFailBeforeAnythingIsSent() async throws {
        let sqs = SQSClient(configuration: try Emulator.localstack.configuration())
        let tooLarge = try await #require(throws: SQSError.self) {
            try await sqs.send(SQSOutgoingMessage(body: String(repeating: "x", count: 262_145)), to: "http://127.0.0.1:1/000000000000/none")
        }
        #expect(tooLarge.code == .messageTooLarge)
        await #expect(throws: SQSError.self) { try await sqs.receive(from: "q", maximumMessages: 11) }
        await #expect(throws: SQSError.self) { try await sqs.receive(from: "q", waitTime: 21) }
    }

    @Test func cancellingALongPollReturnsPromptly() async throws {
        let fixture = try await Fixture(.localstack)
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let clock = ContinuousClock()
            let poll = Task { try await fixture.sqs.receive(from: fixture.queue, waitTime: 20) }
            try await Task.sleep(for: .milliseconds(300))  // let the poll reach the server
            let cancelled = clock.now
            poll.cancel()
            let result = await poll.result
            #expect(clock.now - cancelled < .seconds(10))  // far below the 20 s poll it must not wait for
            #expect(throws: CancellationError.self) { try result.get() }
        }
    }
}
