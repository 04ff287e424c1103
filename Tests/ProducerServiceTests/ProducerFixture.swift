import AWSClientRuntime
import AWSSigV4
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import S3Client
import SQSClient
import TestSupport
import Testing
import VideoCore
import VideoStore

@testable import ProducerService

/// The databases the producer is tested with.
typealias ProducerDatabase = TestDatabaseBackend

/// A producer wired to LocalStack (a fresh bucket and queue) and a fresh store (a temporary SQLite file, or a
/// new database on the PostgreSQL of `VIDEOQUEUE_TEST_DATABASE_URL`), with three API keys.
struct ProducerFixture {
    let directory: TemporaryDirectory
    let store: any VideoStore
    let s3: S3Client
    let sqs: SQSClient
    let bucket: String
    let queueURL: String
    var configuration: ProducerConfiguration
    let alice: String
    let bob: String
    let admin: String
    /// The PostgreSQL database made for this fixture (dropped by ``tearDown()``).
    let postgresDatabase: TestPostgresDatabase?
    /// The store's run (``VideoStore/run()``: PostgreSQL's pools), awaited by ``tearDown()`` after the store is closed.
    let storeRun: Task<Void, Never>

    /// - Parameter fifo: a FIFO jobs queue (`….fifo`).
    init(database: ProducerDatabase = .sqlite, fifo: Bool = false, configure: (inout ProducerConfiguration) -> Void = { _ in }) async throws {
        directory = try TemporaryDirectory()
        switch database {
        case .sqlite:
            postgresDatabase = nil
            store = try await DatabaseConfiguration(url: directory.file("videos.sqlite")).makeStore()
        case .postgres:
            let database = try TestPostgresDatabase.create(prefix: "vq_producer_")
            postgresDatabase = database
            store = try await DatabaseConfiguration(url: database.url).makeStore()
        }
        let store = self.store
        storeRun = Task { await store.run() }
        try await store.migrate()
        s3 = S3Client(configuration: try Emulator.localstack.configuration())
        sqs = SQSClient(configuration: try Emulator.localstack.configuration())
        bucket = Emulator.uniqueName("vq-producer")
        try await s3.createBucket(bucket)
        queueURL =
            fifo
            ? try await sqs.createQueue(named: Emulator.uniqueName("vq-producer") + ".fifo", attributes: ["FifoQueue": "true"])
            : try await sqs.createQueue(named: Emulator.uniqueName("vq-producer"))
        configuration = ProducerConfiguration(bucket: bucket, queueURL: queueURL)
        configuration.port = 0
        configuration.dispatchInterval = .milliseconds(100)
        configuration.eventPollInterval = .milliseconds(50)
        // The test client opens its connection when the server starts and may send its first request much later on a
        // loaded machine: the 10 s request-head timeout would close it (the tests of that timeout set their own).
        configuration.requestHeadTimeout = .seconds(120)
        configuration.idleTimeout = .seconds(120)
        configure(&configuration)
        alice = try await store.createAPIKey(owner: "alice", name: "test", isAdmin: false).plaintext
        bob = try await store.createAPIKey(owner: "bob", name: "test", isAdmin: false).plaintext
        admin = try await store.createAPIKey(owner: "ops", name: "test", isAdmin: true).plaintext
    }

    func application(sqs override: SQSClient? = nil) -> ProducerApplication {
        ProducerApplication(configuration: configuration, store: store, s3: s3, sqs: override ?? sqs)
    }

    /// Runs `test` against a live server of this producer (real sockets, streamed bodies).
    func withClient<Value: Sendable>(
        sqs override: SQSClient? = nil,
        _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await application(sqs: override).application().test(.live, test)
    }

    func tearDown() async {
        if let objects = try? await s3.listObjects(bucket: bucket).collect(), !objects.isEmpty {
            _ = try? await s3.deleteObjects(bucket: bucket, keys: objects.map(\.key))
        }
        try? await s3.deleteBucket(bucket)
        try? await sqs.deleteQueue(queueURL)
        try? await store.close()
        await storeRun.value
        postgresDatabase?.drop()
        directory.remove()
    }

    /// Expects no source object, no multipart upload and no record: what a refused upload must leave.
    func expectNothingLeft() async throws {
        #expect(try await sourceObjects().isEmpty)
        #expect(try await s3.listMultipartUploads(bucket: bucket).isEmpty)
        #expect(try await store.videos(owner: nil, status: nil, cursor: nil, limit: 10).videos.isEmpty)
    }

    /// The objects under `sources/`.
    func sourceObjects() async throws -> [S3ObjectSummary] {
        try await s3.listObjects(bucket: bucket, prefix: "sources/").collect()
    }

    /// Waits (polling, with a deadline) until `condition` holds.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
        try await TestSupport.eventually(timeout: timeout, every: .milliseconds(50), condition)
    }

    static func headers(key: String, contentType: String = "video/mp4", extra: [(String, String)] = []) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(key)", .contentType: contentType]
        for (name, value) in extra {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return fields
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer) throws -> T {
        try VideoTimestamp.jsonDecoder().decode(T.self, from: Data(body.readableBytesView))
    }

    /// Uploads a `multipart/form-data` form of `fields` and `file` as Alice; expects `202` and returns the video.
    func uploadForm(fields: [(String, String)], filename: String, file: ByteBuffer = SampleVideo.mp4) async throws -> VideoRecord {
        let boundary = "----vq\(UInt32.random(in: 0...UInt32.max))"
        let form = Self.multipartForm(boundary: boundary, fields: fields, filename: filename, file: file)
        let key = alice
        return try await withClient { client in
            try await client.execute(
                uri: "/v1/videos", method: .post,
                headers: Self.headers(key: key, contentType: "multipart/form-data; boundary=\(boundary)"),
                body: form
            ) { response in
                #expect(response.status == .accepted)
                return try Self.decode(VideoResponse.self, response.body).video
            }
        }
    }

    /// A `multipart/form-data` body: `fields` in order, then the file part, then the closing boundary.
    static func multipartForm(boundary: String, fields: [(String, String)], filename: String, file: ByteBuffer) -> ByteBuffer {
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: video/mp4\r\n\r\n")
        var file = file
        body.writeBuffer(&file)
        body.writeString("\r\n--\(boundary)--\r\n")
        return body
    }

    /// The error code of a JSON error answer.
    static func errorCode(_ body: ByteBuffer) -> String? {
        struct Body: Decodable {
            struct Detail: Decodable {
                var code: String
                var message: String
            }
            var error: Detail
        }
        return (try? JSONDecoder().decode(Body.self, from: Data(body.readableBytesView)))?.error.code
    }
}

/// A tiny real MP4 made once by ffmpeg (1 s, 160×120).
enum SampleVideo {
    static let mp4: ByteBuffer = {
        let path = NSTemporaryDirectory() + "videoqueue-sample-\(UUID().uuidString).mp4"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
            "-t", "1", "-pix_fmt", "yuv420p", path,
        ]
        do {
            try process.run()
            process.waitUntilExit()
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try? FileManager.default.removeItem(atPath: path)
            return ByteBuffer(bytes: data)
        } catch {
            return ByteBuffer()
        }
    }()
}
