import Foundation
import HummingbirdTesting
import NIOCore
import SQSClient
import TestSupport
import Testing
import VideoCore
import VideoQueueClient
import VideoStore

@testable import ProducerService

/// The `videoqueue` tool against a real producer (LocalStack behind it): the built binary, run as a user runs it.
@Suite struct VideoQueueToolTests {
    /// `videoqueue` beside the test bundle.
    static var executable: String {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
            let path = directory.appendingPathComponent("videoqueue").path
            guard FileManager.default.isExecutableFile(atPath: path) else { throw EmulatorError("\(path) is missing: swift build first") }
            return path
        }
    }

    /// Runs the tool against the producer on `port` with `key`; its exit status and standard output.
    static func tool(_ arguments: [String], port: Int, key: String, cache: TemporaryDirectory) async throws -> (status: Int32, output: String) {
        try await runTool(
            [
                "env", "VIDEOQUEUE_API_URL=http://127.0.0.1:\(port)", "VIDEOQUEUE_API_KEY=\(key)", "XDG_CACHE_HOME=\(cache.path)",
                try executable,
            ] + arguments)
    }

    /// A file that sniffs as MP4: the sample video, padded to `size` bytes.
    static func sample(size: Int, in directory: TemporaryDirectory, name: String = "clip.mp4") throws -> String {
        var data = Data(SampleVideo.mp4.readableBytesView)
        if data.count < size { data.append(Data(count: size - data.count)) }
        let path = directory.file(name)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func uploadThroughTheAPIAndDirectlyInPartsShowAndList() async throws {
        let fixture = try await ProducerFixture { $0.directSinglePutLimit = 1 }  // any direct upload goes in parts
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let files = try TemporaryDirectory()
            defer { files.remove() }
            let small = try Self.sample(size: 2_000, in: files)
            let large = try Self.sample(size: 11 << 20, in: files, name: "large.mp4")
            try await fixture.withClient { client in
                let port = try #require(client.port)
                let viaAPI = try await Self.tool(
                    ["upload", small, "--title", "through the API", "--jobs", "thumbnails"], port: port, key: fixture.alice, cache: files)
                #expect(viaAPI.status == 0)
                let id = try #require(UUID(uuidString: viaAPI.output.trimmingCharacters(in: .whitespacesAndNewlines)))
                let record = try #require(try await fixture.store.video(id: id, owner: "alice"))
                #expect(record.title == "through the API" && record.jobs == [.thumbnails])
                #expect(record.size == (try FileManager.default.attributesOfItem(atPath: small)[.size] as? NSNumber)?.int64Value)

                let direct = try await Self.tool(
                    ["upload", large, "--direct-from", "1", "--json", "--preset", "standard"], port: port, key: fixture.alice, cache: files)
                #expect(direct.status == 0, "\(direct.output)")
                let document = try VideoTimestamp.jsonDecoder().decode(VideoDocument.self, from: Data(direct.output.utf8))
                #expect(document.video.size == 11 << 20)
                #expect(document.video.originalFilename == "large.mp4")

                let shown = try await Self.tool(["show", id.uuidString], port: port, key: fixture.alice, cache: files)
                #expect(shown.status == 0 && shown.output.contains("through the API") && shown.output.contains("status: "))
                let listed = try await Self.tool(["ls", "--all"], port: port, key: fixture.alice, cache: files)
                #expect(listed.output.contains(id.uuidString.lowercased()) && listed.output.contains(document.video.id.uuidString.lowercased()))
                // Another owner sees neither.
                let other = try await Self.tool(["show", id.uuidString], port: port, key: fixture.bob, cache: files)
                #expect(other.status == 1)
            }
        }
    }

    @Test func anInterruptedDirectUploadResumesWithTheMissingPartsOnly() async throws {
        let fixture = try await ProducerFixture { $0.directSinglePutLimit = 1 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let files = try TemporaryDirectory()
            defer { files.remove() }
            let large = try Self.sample(size: 20 << 20, in: files, name: "resume.mp4")
            try await fixture.withClient { client in
                let api = APIClient(baseURL: "http://127.0.0.1:\(try #require(client.port))", apiKey: fixture.alice)
                let uploader = Uploader(client: api, directThreshold: 1, parallelParts: 1, stateDirectory: URL(fileURLWithPath: files.file("state")))
                // The first run is stopped once a part is sent.
                let (partSent, sentContinuation) = AsyncStream.makeStream(of: Int64.self)
                let first = Task {
                    try await uploader.upload(large, settings: .init(title: "resumed")) { sent in sentContinuation.yield(sent) }
                }
                var iterator = partSent.makeAsyncIterator()
                let stateFiles = { (try? FileManager.default.contentsOfDirectory(atPath: files.file("state"))) ?? [] }
                while let sent = await iterator.next(), sent < 9 << 20 || stateFiles().isEmpty {}
                // Wait for the state to record the first part, then interrupt.
                let recorded = try await ProducerFixture.eventually(timeout: .seconds(30)) {
                    guard let name = stateFiles().first, let data = FileManager.default.contents(atPath: files.file("state/\(name)")) else { return false }
                    return String(decoding: data, as: UTF8.self).contains("\"done\":[1]")
                }
                first.cancel()
                _ = await first.result
                #expect(recorded)
                #expect(try await fixture.store.videos(owner: nil, status: nil, cursor: nil, limit: 10).videos.isEmpty)

                // The second run sends the rest and completes; the state is gone.
                let (document, _) = try await uploader.upload(large, settings: .init(title: "resumed"))
                #expect(document.video.size == 20 << 20)
                #expect(stateFiles().isEmpty)
                let stored = try await fixture.s3.headObject(bucket: fixture.bucket, key: document.video.sourceKey)
                #expect(stored.contentLength == 20 << 20)
            }
        }
    }

    @Test func watchCancelRetryFailedAndDownload() async throws {
        let fixture = try await ProducerFixture()
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let files = try TemporaryDirectory()
            defer { files.remove() }
            let sample = try Self.sample(size: 3_000, in: files)
            try await fixture.withClient { client in
                let port = try #require(client.port)
                func upload() async throws -> UUID {
                    let result = try await Self.tool(["upload", sample], port: port, key: fixture.alice, cache: files)
                    return try #require(UUID(uuidString: result.output.trimmingCharacters(in: .whitespacesAndNewlines)))
                }
                // watch: a consumer (played by the store) completes the video while the tool follows it.
                let watched = try await upload()
                let output = VideoOutput(kind: "transcode/240p", key: VideoKeys.outputPrefix(watched) + "transcode/240p.mp4", size: 5, contentType: "video/mp4")
                _ = try await fixture.s3.putObject(ByteBuffer(string: "hello"), bucket: fixture.bucket, key: output.key, contentType: "video/mp4")
                async let watching = Self.tool(["watch", watched.uuidString], port: port, key: fixture.alice, cache: files)
                let claimed = try #require(try await fixture.store.claim(id: watched, messageID: nil))
                _ = try await fixture.store.updateProgress(id: watched, attempt: claimed.attempts, stage: .encoding, progress: 50, eta: 1)
                _ = try await fixture.store.complete(id: watched, attempt: claimed.attempts, outputs: [output])
                let watchResult = try await watching
                #expect(watchResult.status == 0)
                #expect(watchResult.output.contains("completed"))

                // download: every output, under its key's path.
                let target = files.file("downloads")
                let downloaded = try await Self.tool(["download", watched.uuidString, "--output", target], port: port, key: fixture.alice, cache: files)
                #expect(downloaded.status == 0, "\(downloaded.output)")
                #expect(FileManager.default.contents(atPath: target + "/transcode/240p.mp4") == Data("hello".utf8))

                // cancel, then retry of a failed one, then failed --retry-all.
                let cancelled = try await upload()
                #expect(try await Self.tool(["cancel", cancelled.uuidString], port: port, key: fixture.alice, cache: files).status == 0)
                #expect(try await fixture.store.video(id: cancelled, owner: nil)?.status == .cancelled)
                #expect(try await Self.tool(["cancel", cancelled.uuidString], port: port, key: fixture.alice, cache: files).status == 1)

                var failed: [UUID] = []
                for _ in 0..<2 {
                    let id = try await upload()
                    _ = try await fixture.store.fail(id: id, attempt: nil, error: VideoFailure(code: "corrupt_input", message: "bad"))
                    failed.append(id)
                }
                let retried = try await Self.tool(["retry", failed[0].uuidString], port: port, key: fixture.alice, cache: files)
                #expect(retried.status == 0)
                #expect(try await fixture.store.video(id: failed[0], owner: nil)?.status != .failed)
                let all = try await Self.tool(["failed", "--retry-all", "--json"], port: port, key: fixture.alice, cache: files)
                #expect(all.status == 0)
                #expect(all.output.contains(failed[1].uuidString.lowercased()))
                #expect(try await fixture.store.video(id: failed[1], owner: nil)?.status != .failed)

                // Errors: one line with the API's code, exit 1; no key: a usage error.
                let missing = try await Self.tool(["show", UUID().uuidString], port: port, key: fixture.alice, cache: files)
                #expect(missing.status == 1)
                let noKey = try await runTool(["env", "-u", "VIDEOQUEUE_API_KEY", try Self.executable, "ls"])
                #expect(noKey.status == 64)
            }
        }
    }

    @Test func adminKeysAndTheDeadLetterQueueThroughTheTool() async throws {
        let dlqName = Emulator.uniqueName("vq-dlq")
        let sqs = SQSClient(configuration: try Emulator.localstack.configuration())
        let dlq = try await sqs.createQueue(named: dlqName)
        let fixture = try await ProducerFixture { $0.deadLetterQueueURL = dlq }
        try await withTearDown {
            await fixture.tearDown()
            try? await sqs.deleteQueue(dlq)
        } body: {
            let files = try TemporaryDirectory()
            defer { files.remove() }
            try await fixture.withClient { client in
                let port = try #require(client.port)
                // Keys: an admin creates, lists and revokes; anyone else is refused.
                let created = try await Self.tool(["keys", "create", "--owner", "carol", "--name", "ci"], port: port, key: fixture.admin, cache: files)
                #expect(created.status == 0)
                let secret = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(secret.hasPrefix("vq_"))
                #expect(try await fixture.store.apiKey(forPlaintext: secret)?.owner == "carol")
                let listed = try await Self.tool(["keys", "ls", "--json"], port: port, key: fixture.admin, cache: files)
                #expect(listed.status == 0 && listed.output.contains("\"carol\"") && !listed.output.contains(secret))
                let id = try #require(try await fixture.store.apiKey(forPlaintext: secret)?.id)
                #expect(try await Self.tool(["keys", "revoke", id.uuidString], port: port, key: fixture.admin, cache: files).status == 0)
                #expect(try await fixture.store.apiKey(forPlaintext: secret) == nil)
                #expect(try await Self.tool(["keys", "ls"], port: port, key: fixture.alice, cache: files).status == 1)
                #expect(try await Self.tool(["keys", "create", "--owner", "x"], port: port, key: fixture.alice, cache: files).status == 1)

                // The DLQ: two letters (one not even a message of ours) looked at, then moved back.
                let record = VideoRecord(
                    owner: "alice", title: "t", originalFilename: "a.mp4", sourceBucket: fixture.bucket, sourceKey: "k",
                    size: 1, contentType: "video/mp4", jobs: [.transcode])
                _ = try await sqs.send(SQSOutgoingMessage(body: try QueueMessage(video: record).encodedString()), to: dlq)
                _ = try await sqs.send(SQSOutgoingMessage(body: "not ours"), to: dlq)
                let looked = try await Self.tool(["dlq", "ls"], port: port, key: fixture.admin, cache: files)
                #expect(looked.status == 0 && looked.output.contains("dead letters: 2"), "\(looked.output)")
                #expect(looked.output.contains(record.id.uuidString.lowercased()))
                #expect(try await Self.tool(["dlq", "ls"], port: port, key: fixture.alice, cache: files).status == 1)
                let moved = try await Self.tool(["dlq", "redrive"], port: port, key: fixture.admin, cache: files)
                #expect(moved.status == 0 && moved.output.contains("2 messages moved"), "\(moved.output)")
                let back = try await sqs.receive(from: fixture.queueURL, maximumMessages: 10, waitTime: 2)
                #expect(Set(back.map(\.body)).contains("not ours") && back.count == 2)
                let left = try await sqs.receive(from: dlq, maximumMessages: 10, waitTime: 0)
                #expect(left.isEmpty)
            }
        }
    }

    @Test func onATerminalTheUploadDrawsOneProgressBarInPlace() async throws {
        let fixture = try await ProducerFixture { $0.directSinglePutLimit = 1 }
        try await withTearDown {
            await fixture.tearDown()
        } body: {
            let files = try TemporaryDirectory()
            defer { files.remove() }
            let large = try Self.sample(size: 12 << 20, in: files, name: "big.mp4")
            let session = "vq-\(UUID().uuidString.prefix(8))"
            try await fixture.withClient { client in
                let port = try #require(client.port)
                // The pane's shell captures its own screen when the upload is done (into a file the test reads).
                let capture = files.file("screen.txt")
                let command =
                    "VIDEOQUEUE_API_URL=http://127.0.0.1:\(port) VIDEOQUEUE_API_KEY=\(fixture.alice) XDG_CACHE_HOME=\(files.path) "
                    + "\(try Self.executable) upload \(large) --direct-from 1; echo EXIT=$?; tmux capture-pane -p -t \(session) > \(capture).tmp; "
                    + "mv \(capture).tmp \(capture); sleep 1"
                let started = try await runTool(["sh", "-c", "tmux new-session -d -s \(session) -x 160 -y 10 /bin/sh -c '\(command)' 2>&1"])
                #expect(started.status == 0, "\(started.output)")
                let finished = try await ProducerFixture.eventually(timeout: .seconds(60)) { FileManager.default.fileExists(atPath: capture) }
                #expect(finished, "tmux did not run the upload")
                let screen = (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
                #expect(screen.contains("EXIT=0"), "\(screen)")
                let bars = screen.split(separator: "\n").filter { $0.contains("big.mp4 [") }
                #expect(bars.count == 1, "one line redrawn in place: \(screen)")
                #expect(bars.first?.contains("[########################] 100.0 %") == true, "\(screen)")
                #expect(bars.first?.contains("MB/s") == true)
            }
        }
    }
}
