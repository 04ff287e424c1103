// SQS throughput: send + receive + delete of N messages with batches, several calls in flight.
//
//   swift run -c release SQSBenchmark <endpoint-url> [messages] [concurrency]
//
// Creates a fresh queue on the endpoint (LocalStack: credentials test/test), runs the cycle, deletes the queue,
// and prints one JSON object. `Benchmarks/sqs.sh` runs it beside the boto3 one-at-a-time loop.
import AWSClientRuntime
import AWSSigV4
import Foundation
import SQSClient

let arguments = CommandLine.arguments
guard arguments.count >= 2, let endpoint = AWSEndpoint(url: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: SQSBenchmark <endpoint-url> [messages] [concurrency]\n".utf8))
    exit(2)
}
let total = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
let concurrency = arguments.count > 3 ? Int(arguments[3]) ?? 8 : 8

let sqs = SQSClient(
    configuration: AWSClientConfiguration(
        region: "us-east-1", endpoint: endpoint,
        credentialProvider: StaticCredentialProvider(credentials: Credentials(accessKeyID: "test", secretAccessKey: "test"))))
let queue = try await sqs.createQueue(named: "vq-bench-\(UUID().uuidString.prefix(8).lowercased())", attributes: ["VisibilityTimeout": "300"])
let body = String(repeating: "x", count: 200)

let clock = ContinuousClock()
let start = clock.now

// Send: batches of 10, `concurrency` calls at a time.
try await withThrowingTaskGroup(of: Int.self) { group in
    var next = 0
    func addBatch() {
        guard next < total else { return }
        let count = min(10, total - next)
        let messages = (next..<(next + count)).map { SQSOutgoingMessage(body: "\($0) \(body)") }
        next += count
        group.addTask { try await sqs.sendBatch(messages, to: queue).successful.count }
    }
    for _ in 0..<concurrency { addBatch() }
    while let sent = try await group.next() {
        precondition(sent > 0, "a batch failed")
        addBatch()
    }
}
let sentAt = clock.now

// Receive and delete: `concurrency` pollers, each receive followed by one DeleteMessageBatch.
let received = try await withThrowingTaskGroup(of: Int.self, returning: Int.self) { group in
    for _ in 0..<concurrency {
        group.addTask {
            var count = 0
            var emptyPolls = 0
            while emptyPolls < 2 {
                let messages = try await sqs.receive(from: queue, maximumMessages: 10, waitTime: 1)
                if messages.isEmpty {
                    emptyPolls += 1
                    continue
                }
                emptyPolls = 0
                let deleted = try await sqs.deleteBatch(receiptHandles: messages.map(\.receiptHandle), from: queue)
                count += deleted.successful.count
            }
            return count
        }
    }
    var total = 0
    while let count = try await group.next() { total += count }
    return total
}
let end = clock.now
try await sqs.deleteQueue(queue)

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
let result: [String: Any] = [
    "messages": total, "received_and_deleted": received, "concurrency": concurrency,
    "send_seconds": seconds(sentAt - start), "receive_delete_seconds": seconds(end - sentAt),
    // The drain ends after two empty 1 s polls per poller; that idle tail is not throughput.
    "messages_per_second": Double(total) / (seconds(end - start) - 2),
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
