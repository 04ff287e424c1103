import AWSClientRuntime
import AWSSigV4
import Foundation
import NIOCore
import S3Client
import TestSupport

/// A client and a fresh bucket on one emulator, emptied and deleted by ``tearDown()``.
struct S3Fixture {
    let s3: S3Client
    let bucket: String
    let emulator: Emulator

    init(_ emulator: Emulator, options: S3ClientOptions = S3ClientOptions()) async throws {
        self.emulator = emulator
        s3 = S3Client(configuration: try emulator.configuration(), options: options)
        bucket = Emulator.uniqueName("vq-test")
        try await s3.createBucket(bucket)
    }

    /// A client on the same emulator with other options.
    func client(options: S3ClientOptions) throws -> S3Client {
        S3Client(configuration: try emulator.configuration(), options: options)
    }

    func tearDown() async {
        if let objects = try? await s3.listObjects(bucket: bucket).collect(), !objects.isEmpty {
            _ = try? await s3.deleteObjects(bucket: bucket, keys: objects.map(\.key))
        }
        for upload in (try? await s3.listMultipartUploads(bucket: bucket)) ?? [] {
            try? await s3.abortMultipartUpload(bucket: bucket, key: upload.key, uploadID: upload.uploadID)
        }
        try? await s3.deleteBucket(bucket)
    }

    /// Options that make multipart uploads happen with small files: 5 MiB parts (S3's minimum), 2 at once.
    static var smallParts: S3ClientOptions {
        var options = S3ClientOptions()
        options.multipartThreshold = 5 << 20
        options.partSize = 5 << 20
        options.maximumConcurrentParts = 2
        return options
    }

    /// `count` pseudo-random bytes (a fixed seed, so failures reproduce).
    static func bytes(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
        var state = seed
        var output = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            output[index] = UInt8(truncatingIfNeeded: state >> 33)
        }
        return output
    }
}

/// An async sequence of the given buffers, optionally failing after some of them (a client that goes away).
struct ChunkSource: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [ByteBuffer]
    var failAfter: Int?

    struct SourceFailure: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: ChunkSource
        var index = 0
        mutating func next() async throws -> ByteBuffer? {
            if let failAfter = source.failAfter, index >= failAfter { throw SourceFailure() }
            guard index < source.chunks.count else { return nil }
            defer { index += 1 }
            return source.chunks[index]
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: self) }

    /// `bytes` cut into buffers of `size`.
    init(_ bytes: [UInt8], chunkSize size: Int, failAfter: Int? = nil) {
        chunks = stride(from: 0, to: bytes.count, by: size).map { ByteBuffer(bytes: bytes[$0..<Swift.min($0 + size, bytes.count)]) }
        self.failAfter = failAfter
    }
}
